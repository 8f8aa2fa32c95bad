package io.aggregationgateway.server.model;

/**
 * One side (positive or negative) of a native histogram's buckets, held compactly as two
 * parallel arrays rather than spans: bucket {@code indices[i]} holds {@code counts[i]}
 * observations. Counts are absolute (not the deltas of the wire format). Buckets not listed
 * hold nothing.
 *
 * <p>As decoded from a push the indices follow the spans and the counts are what was sent,
 * so either may be invalid; the engine checks them, unless the decoder has already done so
 * ({@link #checked}). In the store the indices are strictly ascending and every count is positive.
 * The arrays are never modified once the value is built.
 *
 * @param checkedTotal the sum of the counts, added up in their order, when whoever built these
 *                     buckets has found them in the store's form (see {@link #checked});
 *                     {@code NaN} otherwise
 */
public record NativeBuckets(int[] indices, double[] counts, double checkedTotal) {
    public static final NativeBuckets EMPTY = new NativeBuckets(new int[0], new double[0]);

    /**
     * Bucket indices beyond this either way hold no finite double at any schema (schema 8 reaches
     * {@code 2^1024} at index 262144); the engine refuses them, which keeps index arithmetic far
     * from overflow.
     */
    public static final int MAX_ABS_INDEX = 1 << 20;

    public NativeBuckets {
        if (indices.length != counts.length) {
            throw new IllegalArgumentException(indices.length + " indices but " + counts.length + " counts");
        }
    }

    /** Buckets nobody has checked yet. */
    public NativeBuckets(int[] indices, double[] counts) {
        this(indices, counts, Double.NaN);
    }

    /**
     * Buckets their builder has checked and found in the store's form: indices strictly ascending
     * and within {@link #MAX_ABS_INDEX} either way, every count finite and positive, and
     * {@code total} their counts added up in their order (from 0, one by one: the same double as
     * the engine's own sum). The engine then takes them without checking and adding up each bucket
     * again: a decoder that checks them as it writes them saves that pass.
     */
    public static NativeBuckets checked(int[] indices, double[] counts, double total) {
        return new NativeBuckets(indices, counts, total);
    }

    /** Whether these buckets were built by {@link #checked}. */
    public boolean isChecked() {
        return !Double.isNaN(checkedTotal);
    }

    public int size() {
        return indices.length;
    }

    public boolean isEmpty() {
        return indices.length == 0;
    }

    /** The sum of the counts. */
    public double total() {
        double total = 0;
        for (double count : counts) {
            total += count;
        }
        return total;
    }
}
