package io.aggregationgateway.server.ingest;

import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;

import java.util.List;

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
    static boolean isNative(Histogram h) {
        return h.getPositiveSpanCount() > 0 || h.getNegativeSpanCount() > 0
                || h.getZeroCount() != 0 || h.getZeroCountFloat() > 0 || h.getZeroThreshold() > 0;
    }

    /** @param classic the classic buckets sent along, or {@code null} */
    static NativeHistogram decode(Histogram h, Labels labels, ClassicHistogram classic) throws InvalidNativeHistogram {
        // Prometheus reads a float histogram when a float total is positive; a histogram that sends
        // absolute counts and no deltas can only be meant as one too (an empty float histogram)
        boolean floatCounts = h.getSampleCountFloat() > 0 || h.getZeroCountFloat() > 0
                || (h.getPositiveDeltaCount() == 0 && h.getNegativeDeltaCount() == 0
                && (h.getPositiveCountCount() > 0 || h.getNegativeCountCount() > 0));
        double count = h.getSampleCountFloat() > 0 ? h.getSampleCountFloat()
                : ProtobufDecoder.unsignedToDouble(h.getSampleCount());
        double zeroCount = h.getZeroCountFloat() > 0 ? h.getZeroCountFloat()
                : ProtobufDecoder.unsignedToDouble(h.getZeroCount());
        NativeBuckets positive = floatCounts
                ? buckets("positive", h.getPositiveSpanList(), h.getPositiveCountList(), null)
                : buckets("positive", h.getPositiveSpanList(), null, h.getPositiveDeltaList());
        NativeBuckets negative = floatCounts
                ? buckets("negative", h.getNegativeSpanList(), h.getNegativeCountList(), null)
                : buckets("negative", h.getNegativeSpanList(), null, h.getNegativeDeltaList());
        return new NativeHistogram(labels, h.getSchema(), h.getZeroThreshold(), zeroCount, count, h.getSampleSum(),
                positive, negative, floatCounts, classic);
    }

    /** Exactly one of {@code counts} (float histograms) and {@code deltas} (integer histograms) is given. */
    private static NativeBuckets buckets(String side, List<BucketSpan> spans, List<Double> counts, List<Long> deltas)
            throws InvalidNativeHistogram {
        int values = counts != null ? counts.size() : deltas.size();
        long covered = 0;
        for (BucketSpan span : spans) {
            covered += Integer.toUnsignedLong(span.getLength());
        }
        if (covered != values) {
            throw new InvalidNativeHistogram(side + " spans cover " + covered + (covered == 1 ? " bucket" : " buckets")
                    + " but " + values + " "
                    + (counts != null ? "counts" : "deltas") + " were sent");
        }
        int[] indices = new int[values];
        double[] absolute = new double[values];
        long index = 0;
        long running = 0;
        int n = 0;
        for (int s = 0; s < spans.size(); s++) {
            BucketSpan span = spans.get(s);
            // the first offset is the first bucket's index, the others the gap after the previous span
            index += span.getOffset();
            for (long j = 0; j < Integer.toUnsignedLong(span.getLength()); j++) {
                if (index < Integer.MIN_VALUE || index > Integer.MAX_VALUE) {
                    throw new InvalidNativeHistogram(side + " bucket index " + index + " is out of range");
                }
                indices[n] = (int) index++;
                if (counts != null) {
                    absolute[n] = counts.get(n);
                } else {
                    try {
                        running = Math.addExact(running, deltas.get(n));
                    } catch (ArithmeticException e) {
                        throw new InvalidNativeHistogram(side + " bucket " + indices[n] + ": the deltas overflow 64 bits");
                    }
                    absolute[n] = running;
                }
                n++;
            }
        }
        return new NativeBuckets(indices, absolute);
    }
}
