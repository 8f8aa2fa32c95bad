package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.NativeBuckets;

import java.util.Arrays;

/**
 * Operations on one side of a native histogram's buckets; inputs are never modified, but for the
 * counts that {@link #add(NativeBuckets, NativeBuckets, boolean)} is told it may write.
 */
final class SparseBuckets {
    private SparseBuckets() {
    }

    /**
     * The buckets at the coarser {@code targetSchema}: each group of neighbouring buckets that
     * falls into one target bucket becomes that bucket, holding their summed count.
     */
    static NativeBuckets reduce(NativeBuckets buckets, int schema, int targetSchema) {
        if (schema == targetSchema || buckets.isEmpty()) {
            return buckets;
        }
        int[] indices = new int[buckets.size()];
        double[] counts = new double[buckets.size()];
        int n = 0;
        for (int i = 0; i < buckets.size(); i++) {
            int target = ExponentialBuckets.reducedIndex(buckets.indices()[i], schema, targetSchema);
            if (n > 0 && indices[n - 1] == target) {
                counts[n - 1] += buckets.counts()[i];
            } else {
                indices[n] = target;
                counts[n] = buckets.counts()[i];
                n++;
            }
        }
        return new NativeBuckets(Arrays.copyOf(indices, n), Arrays.copyOf(counts, n));
    }

    /**
     * Both sides' buckets added index by index (a bucket missing on one side counts 0); empty buckets
     * left out. When the result has exactly {@code a}'s buckets (the usual merge: a push brings
     * buckets the series already holds) it shares {@code a}'s index array, which is never modified,
     * so a merge then allocates only the counts, in one pass over both sides.
     */
    static NativeBuckets add(NativeBuckets a, NativeBuckets b) {
        if (b.isEmpty()) {
            return a;
        }
        if (a.isEmpty()) {
            return b;
        }
        double[] intoA = addIntoIndicesOf(a, b);
        return intoA != null ? new NativeBuckets(a.indices(), intoA) : addAnyIndices(a, b);
    }

    /**
     * {@link #add}, written into {@code a}'s own counts when both sides have the same buckets (the
     * usual merge: a push brings the buckets the series holds) and {@code a}'s counts are
     * {@code writable}; then {@code a} is returned, or, where a sum is 0, a copy without that bucket.
     * Otherwise what {@link #add} returns, with {@code a} untouched. For a store that owns
     * {@code a}'s counts and shows them to nobody: the usual merge then allocates nothing.
     */
    static NativeBuckets add(NativeBuckets a, NativeBuckets b, boolean writable) {
        if (!writable || a.isEmpty() || !Arrays.equals(a.indices(), b.indices())) {
            return add(a, b);
        }
        double[] ac = a.counts();
        double[] bc = b.counts();
        boolean emptied = false;
        for (int i = 0; i < ac.length; i++) {
            double count = ac[i] + bc[i];
            ac[i] = count;
            emptied |= count == 0;
        }
        return emptied ? withoutEmpty(a) : a;
    }

    /** {@code buckets} without those that hold nothing, in new arrays. */
    private static NativeBuckets withoutEmpty(NativeBuckets buckets) {
        int[] indices = new int[buckets.size()];
        double[] counts = new double[buckets.size()];
        int n = 0;
        for (int i = 0; i < buckets.size(); i++) {
            if (buckets.counts()[i] != 0) {
                indices[n] = buckets.indices()[i];
                counts[n++] = buckets.counts()[i];
            }
        }
        return new NativeBuckets(Arrays.copyOf(indices, n), Arrays.copyOf(counts, n));
    }

    /**
     * The sums at {@code a}'s indices when those are exactly the result's: every bucket of {@code b}
     * that {@code a} lacks is empty and no sum is 0. Otherwise {@code null}, found in the same pass.
     */
    private static double[] addIntoIndicesOf(NativeBuckets a, NativeBuckets b) {
        int[] ai = a.indices();
        double[] ac = a.counts();
        int[] bi = b.indices();
        double[] bc = b.counts();
        double[] counts = new double[ai.length];
        int j = 0;
        for (int i = 0; i < ai.length; i++) {
            int index = ai[i];
            double count = ac[i];
            while (j < bi.length && bi[j] < index) {
                if (bc[j++] != 0) {
                    return null;
                }
            }
            if (j < bi.length && bi[j] == index) {
                count += bc[j++];
            }
            if (count == 0) {
                return null;
            }
            counts[i] = count;
        }
        for (; j < bi.length; j++) {
            if (bc[j] != 0) {
                return null;
            }
        }
        return counts;
    }

    /** {@link #add} in general: a merge walk that sizes the result first. */
    static NativeBuckets addAnyIndices(NativeBuckets a, NativeBuckets b) {
        int[] ai = a.indices();
        double[] ac = a.counts();
        int[] bi = b.indices();
        double[] bc = b.counts();
        int size = 0;
        for (int i = 0, j = 0; i < ai.length || j < bi.length; ) {
            double count;
            if (j == bi.length || (i < ai.length && ai[i] < bi[j])) {
                count = ac[i++];
            } else if (i == ai.length || bi[j] < ai[i]) {
                count = bc[j++];
            } else {
                count = ac[i++] + bc[j++];
            }
            size += count != 0 ? 1 : 0;
        }
        int[] indices = new int[size];
        double[] counts = new double[size];
        int n = 0;
        for (int i = 0, j = 0; i < ai.length || j < bi.length; ) {
            int index;
            double count;
            if (j == bi.length || (i < ai.length && ai[i] < bi[j])) {
                index = ai[i];
                count = ac[i++];
            } else if (i == ai.length || bi[j] < ai[i]) {
                index = bi[j];
                count = bc[j++];
            } else {
                index = ai[i];
                count = ac[i++] + bc[j++];
            }
            if (count != 0) {
                indices[n] = index;
                counts[n++] = count;
            }
        }
        return new NativeBuckets(indices, counts);
    }

    /** The buckets whose lower bound is at least {@code threshold}: what remains outside a zero bucket that wide. */
    static NativeBuckets from(NativeBuckets buckets, int schema, double threshold) {
        int first = 0;
        while (first < buckets.size() && ExponentialBuckets.lowerBound(buckets.indices()[first], schema) < threshold) {
            first++;
        }
        if (first == 0) {
            return buckets;
        }
        return new NativeBuckets(Arrays.copyOfRange(buckets.indices(), first, buckets.size()),
                Arrays.copyOfRange(buckets.counts(), first, buckets.size()));
    }
}
