package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Histogram;

/**
 * Observation counts between the double the registries keep and metrics.proto's pair of an
 * integer field and a float field that overrides it when positive.
 */
final class Counts {
    private static final double TWO_POW_63 = 0x1p63;

    private Counts() {
    }

    /** Whether {@code count} fits the integer field exactly. */
    static boolean isWhole(double count) {
        return count >= 0 && count < TWO_POW_63 && count == Math.rint(count);
    }

    static void setSampleCount(Histogram.Builder histogram, double count) {
        if (isWhole(count)) {
            histogram.setSampleCount((long) count);
        } else {
            histogram.setSampleCountFloat(count);
        }
    }

    static Bucket bucket(double upperBound, double cumulativeCount) {
        Bucket.Builder bucket = Bucket.newBuilder().setUpperBound(upperBound);
        if (isWhole(cumulativeCount)) {
            bucket.setCumulativeCount((long) cumulativeCount);
        } else {
            bucket.setCumulativeCountFloat(cumulativeCount);
        }
        return bucket.build();
    }

    /** A summary's count has no float field: the nearest whole number (counts are whole anyway). */
    static long summaryCount(double count) {
        return isWhole(count) ? (long) count : Math.max(0, Math.round(count));
    }

    static double sampleCount(Histogram histogram) {
        return histogram.getSampleCountFloat() > 0 ? histogram.getSampleCountFloat() : unsigned(histogram.getSampleCount());
    }

    static double cumulativeCount(Bucket bucket) {
        return bucket.getCumulativeCountFloat() > 0 ? bucket.getCumulativeCountFloat() : unsigned(bucket.getCumulativeCount());
    }

    /**
     * A uint64 field read into a long, as the nearest double: rounded as the gateway rounds the
     * uint64 counts of the protobuf pushes it receives, so that a count a text push spells out
     * reads the same as the protobuf push of that count.
     */
    static double unsigned(long value) {
        if (value >= 0) {
            return value;
        }
        // halve (keeping the lost bit as a sticky bit so rounding stays correct), convert, double
        return ((double) ((value >>> 1) | (value & 1))) * 2.0;
    }
}
