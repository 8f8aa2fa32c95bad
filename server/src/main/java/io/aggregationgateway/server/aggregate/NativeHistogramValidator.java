package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;

import static io.aggregationgateway.server.aggregate.PushValidator.reject;

/**
 * Checks a pushed native histogram and brings it into the form the store keeps: no empty
 * buckets, no bucket inside the zero bucket, classic buckets (if any) completed with {@code +Inf}.
 */
final class NativeHistogramValidator {
    /** The classic-histogram check and completion, applied to the classic part. */
    @FunctionalInterface
    interface ClassicNormaliser {
        ClassicHistogram normalise(MetricFamily family, ClassicHistogram classic) throws PushRejectedException;
    }

    private NativeHistogramValidator() {
    }

    static NativeHistogram normalise(MetricFamily family, NativeHistogram h, ClassicNormaliser classicNormaliser)
            throws PushRejectedException {
        if (!family.type().isHistogram()) {
            throw reject(RejectionReason.INVALID_VALUE, family, h.labels(),
                    "a native histogram in a " + family.type().textName() + " family");
        }
        if (h.schema() < ExponentialBuckets.MIN_SCHEMA || h.schema() > ExponentialBuckets.MAX_SCHEMA) {
            throw invalid(family, h, "schema " + h.schema() + " is outside " + ExponentialBuckets.MIN_SCHEMA
                    + ".." + ExponentialBuckets.MAX_SCHEMA);
        }
        checkNonNegative(family, h, "zero threshold", h.zeroThreshold());
        checkNonNegative(family, h, "zero count", h.zeroCount());
        checkNonNegative(family, h, "count", h.count());
        if (!Double.isFinite(h.sum())) {
            throw invalid(family, h, "sum " + h.sum() + " cannot be added up");
        }
        // one pass over each side checks it, sums it up and counts its populated buckets
        int[] populated = new int[2];
        double inBuckets = h.zeroCount() + checkBuckets(family, h, "positive", h.positive(), populated, 0)
                + checkBuckets(family, h, "negative", h.negative(), populated, 1);
        // float counts may carry rounding from the client's own additions
        double slack = h.floatCounts() ? inBuckets * 1e-12 : 0;
        if (h.count() < inBuckets - slack) {
            throw invalid(family, h, "count " + h.count() + " is less than the " + inBuckets
                    + " observations in its buckets (zero bucket included)");
        }
        ClassicHistogram classic = h.classic() == null ? null : classicNormaliser.normalise(family,
                new ClassicHistogram(h.labels(), h.classic().upperBounds(), h.classic().cumulativeCounts(),
                        h.count(), h.sum()));
        // Buckets wholly inside the zero bucket hold observations it already covers: Prometheus
        // folds such buckets into the zero count whenever it widens a zero bucket, so do it now.
        int foldPositive = insideZeroBucket(h.positive(), h.schema(), h.zeroThreshold());
        int foldNegative = insideZeroBucket(h.negative(), h.schema(), h.zeroThreshold());
        double zeroCount = h.zeroCount();
        for (int i = 0; i < foldPositive; i++) {
            zeroCount += h.positive().counts()[i];
        }
        for (int i = 0; i < foldNegative; i++) {
            zeroCount += h.negative().counts()[i];
        }
        NativeBuckets keptPositive = populatedFrom(h.positive(), foldPositive, populated[0]);
        NativeBuckets keptNegative = populatedFrom(h.negative(), foldNegative, populated[1]);
        return new NativeHistogram(h.labels(), h.schema(), h.zeroThreshold(), zeroCount, h.count(), h.sum(),
                keptPositive, keptNegative, h.floatCounts(), classic);
    }

    private static void checkNonNegative(MetricFamily family, NativeHistogram h, String what, double value)
            throws PushRejectedException {
        if (!Double.isFinite(value) || value < 0) {
            throw invalid(family, h, what + " " + value + " is not a finite, non-negative number");
        }
    }

    /**
     * Checks one side's indices and counts; returns the sum of its counts, and puts the number of
     * its populated buckets in {@code populated[slot]}.
     */
    private static double checkBuckets(MetricFamily family, NativeHistogram h, String side, NativeBuckets buckets,
                                       int[] populated, int slot) throws PushRejectedException {
        if (buckets.isChecked()) { // the decoder made these checks as it wrote the buckets
            populated[slot] = buckets.size();
            return buckets.checkedTotal();
        }
        int[] indices = buckets.indices();
        double[] counts = buckets.counts();
        double total = 0;
        int nonZero = 0;
        for (int i = 0; i < indices.length; i++) {
            if (Math.abs(indices[i]) > NativeBuckets.MAX_ABS_INDEX) {
                throw invalid(family, h, side + " bucket index " + indices[i] + " is out of range (at most "
                        + NativeBuckets.MAX_ABS_INDEX + " either way)");
            }
            if (i > 0 && indices[i] <= indices[i - 1]) {
                throw invalid(family, h, side + " spans overlap or go backwards (bucket index " + indices[i]
                        + " after " + indices[i - 1] + "; only the first span may have a negative offset)");
            }
            if (!Double.isFinite(counts[i]) || counts[i] < 0) {
                throw invalid(family, h, side + " bucket " + indices[i] + " has count " + counts[i]
                        + " (must be finite and not negative)");
            }
            total += counts[i];
            nonZero += counts[i] != 0 ? 1 : 0;
        }
        populated[slot] = nonZero;
        return total;
    }

    /**
     * How many of the first buckets lie wholly inside the zero bucket, empty ones included (their
     * upper bounds ascend with their indices, so the first populated one outside ends the run).
     */
    private static int insideZeroBucket(NativeBuckets buckets, int schema, double zeroThreshold) {
        int n = 0;
        while (n < buckets.size() && ExponentialBuckets.upperBound(buckets.indices()[n], schema) <= zeroThreshold) {
            n++;
        }
        return n;
    }

    /**
     * The populated buckets from the {@code first}th on, in one copy (none when that is all of them),
     * given how many of all are populated.
     */
    private static NativeBuckets populatedFrom(NativeBuckets buckets, int first, int populated) {
        double[] counts = buckets.counts();
        int n = populated;
        for (int i = 0; i < first; i++) {
            n -= counts[i] != 0 ? 1 : 0;
        }
        if (first == 0 && n == counts.length) {
            return buckets;
        }
        int[] keptIndices = new int[n];
        double[] keptCounts = new double[n];
        for (int i = first, j = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                keptIndices[j] = buckets.indices()[i];
                keptCounts[j++] = counts[i];
            }
        }
        return new NativeBuckets(keptIndices, keptCounts);
    }

    private static PushRejectedException invalid(MetricFamily family, NativeHistogram h, String what) {
        return reject(RejectionReason.INVALID_HISTOGRAM, family, h.labels(), "native histogram: " + what);
    }
}
