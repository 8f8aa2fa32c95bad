package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.NativeBuckets;

import java.util.Arrays;

/** Operations on one side of a native histogram's buckets; inputs are never modified. */
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
     * so a merge then allocates only the counts.
     */
    static NativeBuckets add(NativeBuckets a, NativeBuckets b) {
        if (b.isEmpty()) {
            return a;
        }
        if (a.isEmpty()) {
            return b;
        }
        int[] ai = a.indices();
        double[] ac = a.counts();
        int[] bi = b.indices();
        double[] bc = b.counts();
        // first pass: the result's size, and whether its indices are a's
        int size = 0;
        boolean sameIndices = true;
        for (int i = 0, j = 0; i < ai.length || j < bi.length; size++) {
            if (j == bi.length || (i < ai.length && ai[i] < bi[j])) {
                if (ac[i++] == 0) {
                    size--; // not in a stored value, whose buckets are all populated
                    sameIndices = false;
                }
            } else if (i == ai.length || bi[j] < ai[i]) {
                if (bc[j++] == 0) {
                    size--; // an empty bucket only b lists: left out
                } else {
                    sameIndices = false;
                }
            } else if (ac[i++] + bc[j++] == 0) {
                size--;
                sameIndices = false;
            }
        }
        if (sameIndices && size == ai.length) {
            double[] counts = ac.clone();
            for (int i = 0, j = 0; j < bi.length; j++) {
                while (i < ai.length && ai[i] < bi[j]) {
                    i++;
                }
                if (i < ai.length && ai[i] == bi[j]) {
                    counts[i] += bc[j]; // b's other buckets are empty
                }
            }
            return new NativeBuckets(ai, counts);
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
