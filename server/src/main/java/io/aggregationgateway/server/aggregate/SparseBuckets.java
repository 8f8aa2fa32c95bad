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

    /** Both sides' buckets added index by index (a bucket missing on one side counts 0); empty buckets left out. */
    static NativeBuckets add(NativeBuckets a, NativeBuckets b) {
        if (b.isEmpty()) {
            return a;
        }
        if (a.isEmpty()) {
            return b;
        }
        int[] indices = new int[a.size() + b.size()];
        double[] counts = new double[indices.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.size() || j < b.size()) {
            int index;
            double count;
            if (j == b.size() || (i < a.size() && a.indices()[i] < b.indices()[j])) {
                index = a.indices()[i];
                count = a.counts()[i++];
            } else if (i == a.size() || b.indices()[j] < a.indices()[i]) {
                index = b.indices()[j];
                count = b.counts()[j++];
            } else {
                index = a.indices()[i];
                count = a.counts()[i++] + b.counts()[j++];
            }
            if (count != 0) {
                indices[n] = index;
                counts[n++] = count;
            }
        }
        return new NativeBuckets(Arrays.copyOf(indices, n), Arrays.copyOf(counts, n));
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
