package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.NativeBuckets;

/**
 * A zero bucket: its threshold and count.
 *
 * @param threshold observations with an absolute value up to this are in it
 * @param count     how many observations it holds
 */
record ZeroBucket(double threshold, double count) {

    /**
     * What the zero bucket of a histogram becomes when widened to at least {@code larger}
     * (Prometheus's {@code zeroCountForLargerThreshold}): every bucket whose lower bound lies
     * below the new threshold is folded into it. A populated bucket that straddles the new
     * threshold is folded in whole and moves the threshold up to its upper bound, since a
     * bucket's observations cannot be split; on the negative side that restarts the positive
     * side with the new threshold.
     *
     * @param larger at least the histogram's current threshold
     */
    static ZeroBucket widen(ZeroBucket current, NativeBuckets positive, NativeBuckets negative, int schema,
                            double larger) {
        if (larger == current.threshold()) {
            return current;
        }
        double threshold = larger;
        while (true) {
            Folded positives = fold(positive, schema, threshold, current.count());
            Folded negatives = fold(negative, schema, positives.threshold(), positives.count());
            if (negatives.threshold() == positives.threshold()) {
                return new ZeroBucket(negatives.threshold(), negatives.count());
            }
            threshold = negatives.threshold(); // moved by a negative bucket: the positive side again
        }
    }

    /** A zero count with one side's buckets folded in, and the threshold they leave. */
    private record Folded(double count, double threshold) {
    }

    /**
     * Adds to {@code count} the buckets of one side whose lower bound lies below {@code threshold};
     * a populated one that straddles it moves the threshold up to its upper bound.
     */
    private static Folded fold(NativeBuckets side, int schema, double threshold, double count) {
        for (int i = 0; i < side.size(); i++) {
            int index = side.indices()[i];
            if (ExponentialBuckets.lowerBound(index, schema) >= threshold) {
                break;
            }
            count += side.counts()[i];
            double upper = ExponentialBuckets.upperBound(index, schema);
            if (upper > threshold) {
                return new Folded(count, side.counts()[i] != 0 ? upper : threshold);
            }
        }
        return new Folded(count, threshold);
    }
}
