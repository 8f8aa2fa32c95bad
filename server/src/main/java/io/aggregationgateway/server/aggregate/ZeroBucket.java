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
            double count = current.count();
            for (int i = 0; i < positive.size(); i++) {
                int index = positive.indices()[i];
                if (ExponentialBuckets.lowerBound(index, schema) >= threshold) {
                    break;
                }
                count += positive.counts()[i];
                double upper = ExponentialBuckets.upperBound(index, schema);
                if (upper > threshold) {
                    if (positive.counts()[i] != 0) {
                        threshold = upper;
                    }
                    break;
                }
            }
            boolean moved = false;
            for (int i = 0; i < negative.size(); i++) {
                int index = negative.indices()[i];
                if (ExponentialBuckets.lowerBound(index, schema) >= threshold) {
                    break;
                }
                count += negative.counts()[i];
                double upper = ExponentialBuckets.upperBound(index, schema);
                if (upper > threshold) {
                    if (negative.counts()[i] != 0) {
                        threshold = upper;
                        moved = true;
                    }
                    break;
                }
            }
            if (!moved) {
                return new ZeroBucket(threshold, count);
            }
        }
    }
}
