package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;

import java.util.Arrays;

/**
 * Reads the native part of a protobuf {@code Histogram}: spans become absolute bucket indices,
 * deltas (integer histograms) or counts (float histograms) absolute counts. Only what cannot be
 * represented in the model is refused here (spans that do not match the number of deltas or
 * counts, indices or deltas beyond 64 bits); the values are checked by the engine.
 */
final class NativeHistogramDecoding {
    private NativeHistogramDecoding() {
    }

    /** What the push got wrong, for the decoder to place. */
    static final class InvalidNativeHistogram extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidNativeHistogram(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Whether the histogram is native: Prometheus's test ({@code isNativeHistogram}: spans, a zero
     * count or a zero threshold; the no-op span marks an empty one), plus {@code zero_count_float}.
     */
    static boolean isNative(HistogramFields h) {
        return h.positive.spans > 0 || h.negative.spans > 0
                || h.zeroCount != 0 || h.zeroCountFloat > 0 || h.zeroThreshold > 0;
    }

    /**
     * @param classic the classic buckets sent along, or {@code null}
     * @param dropEmptyBuckets leave out the buckets that hold nothing when that cannot change what
     *                         the engine makes of the histogram (see {@link #buckets})
     */
    static NativeHistogram decode(HistogramFields h, Labels labels, ClassicHistogram classic, boolean dropEmptyBuckets)
            throws InvalidNativeHistogram {
        // Prometheus reads a float histogram when a float total is positive; a histogram that sends
        // absolute counts and no deltas can only be meant as one too (an empty float histogram)
        boolean floatCounts = h.sampleCountFloat > 0 || h.zeroCountFloat > 0
                || (h.positive.deltas == 0 && h.negative.deltas == 0
                && (h.positive.counts > 0 || h.negative.counts > 0));
        double zeroCount = h.zeroCountFloat > 0 ? h.zeroCountFloat : ProtobufDecoder.unsignedToDouble(h.zeroCount);
        NativeBuckets positive = buckets("positive", h.positive, floatCounts, dropEmptyBuckets);
        NativeBuckets negative = buckets("negative", h.negative, floatCounts, dropEmptyBuckets);
        return new NativeHistogram(labels, h.schema, h.zeroThreshold, zeroCount, h.count(), h.sampleSum,
                positive, negative, floatCounts, classic);
    }

    /**
     * The side's counts ({@code floatCounts}) or deltas (otherwise) at the indices its spans give.
     *
     * <p>With {@code dropEmptyBuckets} the buckets that hold nothing are left out when the side is
     * one the engine accepts as it is: indices ascending and within
     * {@link NativeBuckets#MAX_ABS_INDEX} either way, every count finite and not negative. The
     * engine drops such buckets itself (the store keeps none), and with the checks passing for every
     * bucket no rejection can depend on them, so the result is the same and the engine's copy
     * without them is saved: client_java sends the empty buckets of short gaps, about one in six.
     * A side that fails a check is decoded whole, for the engine to say which bucket is wrong.
     * The wire reader may already have written a side's buckets this way as it read the deltas
     * ({@link HistogramFields.Side#streamedBuckets}); they are then only copied out.
     */
    private static NativeBuckets buckets(String sideName, HistogramFields.Side side, boolean floatCounts,
                                         boolean dropEmptyBuckets) throws InvalidNativeHistogram {
        int values = floatCounts ? side.counts : side.deltas;
        long covered = 0;
        for (int s = 0; s < side.spans; s++) {
            covered += Integer.toUnsignedLong(side.spanLengths[s]);
        }
        if (covered != values) {
            throw new InvalidNativeHistogram(sideName + " spans cover " + covered + (covered == 1 ? " bucket" : " buckets")
                    + " but " + values + " " + (floatCounts ? "counts" : "deltas") + " were sent");
        }
        if (dropEmptyBuckets && !floatCounts) {
            NativeBuckets streamed = side.streamedBuckets(); // decoded as the deltas were read
            if (streamed != null) {
                return streamed;
            }
        }
        // as sent, straight into the result; without empty buckets, into the side's scratch first
        int[] indices = dropEmptyBuckets ? side.indexScratch(values) : new int[values];
        double[] absolute = dropEmptyBuckets ? side.countScratch(values) : new double[values];
        boolean acceptable = true; // as the engine's checks would find every bucket
        long previous = Long.MIN_VALUE; // the last bucket's index so far
        long index = 0;
        long running = 0;
        int n = 0; // values read
        int kept = 0; // buckets written: all, or the populated ones
        for (int s = 0; s < side.spans; s++) {
            // the first offset is the first bucket's index, the others the gap after the previous span
            index += side.spanOffsets[s];
            long length = Integer.toUnsignedLong(side.spanLengths[s]);
            if (length == 0) {
                continue;
            }
            if (index < Integer.MIN_VALUE || index > Integer.MAX_VALUE) {
                throw new InvalidNativeHistogram(sideName + " bucket index " + index + " is out of range");
            }
            // the span's buckets up to the largest int index; one beyond it is refused once those are read
            int inRange = (int) Math.min(length, (long) Integer.MAX_VALUE - index + 1);
            int at = (int) index;
            int end = n + inRange;
            acceptable &= index > previous && index >= -NativeBuckets.MAX_ABS_INDEX
                    && index + inRange - 1 <= NativeBuckets.MAX_ABS_INDEX;
            previous = index + inRange - 1;
            if (floatCounts) {
                double[] counts = side.countValues;
                for (; n < end; n++) {
                    double count = counts[n];
                    indices[kept] = at++;
                    absolute[kept] = count;
                    acceptable &= count >= 0 && count != Double.POSITIVE_INFINITY; // NaN fails the first
                    kept += !dropEmptyBuckets || count != 0 ? 1 : 0;
                }
            } else {
                long[] deltas = side.deltaValues;
                for (; n < end; n++) {
                    long delta = deltas[n];
                    long sum = running + delta;
                    if (((running ^ sum) & (delta ^ sum)) < 0) { // Math.addExact's test
                        throw new InvalidNativeHistogram(sideName + " bucket " + at + ": the deltas overflow 64 bits");
                    }
                    running = sum;
                    indices[kept] = at++;
                    absolute[kept] = sum;
                    acceptable &= sum >= 0;
                    kept += !dropEmptyBuckets || sum != 0 ? 1 : 0;
                }
            }
            index += length;
            if (inRange < length) {
                throw new InvalidNativeHistogram(sideName + " bucket index " + ((long) Integer.MAX_VALUE + 1) + " is out of range");
            }
        }
        if (!dropEmptyBuckets) {
            return new NativeBuckets(indices, absolute);
        }
        if (!acceptable) { // decoded again as sent, for the engine to name the bucket that is wrong
            return buckets(sideName, side, floatCounts, false);
        }
        return new NativeBuckets(Arrays.copyOf(indices, kept), Arrays.copyOf(absolute, kept));
    }
}
