package io.aggregationgateway.server.expose;

import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.protowire.ProtoWriter;
import io.aggregationgateway.server.protowire.WireFormat;

import java.io.IOException;

/**
 * Encodes a native histogram as the fields of an {@code io.prometheus.client.Histogram} message,
 * byte for byte what protobuf-java writes for the same fields, as Prometheus reads it:
 *
 * <ul>
 *   <li>integer histograms with {@code sample_count}, {@code zero_count} and the buckets as
 *       deltas ({@code *_delta}), float histograms with {@code sample_count_float},
 *       {@code zero_count_float} and absolute {@code *_count}; an integer histogram whose counts
 *       are not all exact {@code uint64} values goes out as a float histogram;</li>
 *   <li>spans compacted: one span per run of neighbouring populated buckets;</li>
 *   <li>a histogram without buckets gets the no-op span {@code (0, 0)}, so Prometheus still
 *       reads it as native;</li>
 *   <li>classic buckets, when the series has them, as {@link ProtobufRenderer#writeClassicFields}
 *       writes them.</li>
 * </ul>
 *
 * Holds no state; one serves a render.
 */
final class NativeHistogramEncoder {
    /** Most bytes of one span field: tag, length, and two varint fields of 32 bits. */
    private static final int SPAN_FIELD_MAX_BYTES = 1 + 1 + 2 * (1 + 5);
    private static final double[] NO_BUCKETS = new double[0];

    /** Writes {@code h}'s fields into the {@code Histogram} message the caller has begun in {@code wire}. */
    void encode(ProtoWriter wire, NativeHistogram h) throws IOException {
        boolean integer = !h.floatCounts() && isIntegerHistogram(h);
        ClassicHistogram classic = h.classic();
        ProtobufRenderer.writeClassicFields(wire, h.count(), integer, h.sum(),
                classic != null ? classic.upperBounds() : NO_BUCKETS,
                classic != null ? classic.cumulativeCounts() : NO_BUCKETS);
        int buckets = h.positive().size() + h.negative().size();
        // a span per bucket at most, the no-op span, a delta or count per bucket
        wire.reserve(ProtoWriter.VARINT_FIELD_BYTES + 2 * ProtoWriter.DOUBLE_FIELD_BYTES
                + (buckets + 1) * SPAN_FIELD_MAX_BYTES + buckets * ProtoWriter.VARINT_FIELD_BYTES);
        wire.varintField(Histogram.SCHEMA_FIELD_NUMBER, WireFormat.encodeZigZag(h.schema()));
        wire.doubleField(Histogram.ZERO_THRESHOLD_FIELD_NUMBER, h.zeroThreshold());
        if (integer) {
            wire.varintField(Histogram.ZERO_COUNT_FIELD_NUMBER, (long) h.zeroCount());
        } else {
            wire.doubleField(Histogram.ZERO_COUNT_FLOAT_FIELD_NUMBER, h.zeroCount());
        }
        writeSpans(wire, Histogram.NEGATIVE_SPAN_FIELD_NUMBER, h.negative());
        writeCounts(wire, integer ? Histogram.NEGATIVE_DELTA_FIELD_NUMBER : Histogram.NEGATIVE_COUNT_FIELD_NUMBER,
                integer, h.negative());
        if (h.positive().isEmpty() && h.negative().isEmpty()) {
            span(wire, Histogram.POSITIVE_SPAN_FIELD_NUMBER, 0, 0);
        } else {
            writeSpans(wire, Histogram.POSITIVE_SPAN_FIELD_NUMBER, h.positive());
        }
        writeCounts(wire, integer ? Histogram.POSITIVE_DELTA_FIELD_NUMBER : Histogram.POSITIVE_COUNT_FIELD_NUMBER,
                integer, h.positive());
    }

    private static boolean isIntegerHistogram(NativeHistogram h) {
        if (!ProtobufRenderer.isIntegral(h.count()) || !ProtobufRenderer.isIntegral(h.zeroCount())) {
            return false;
        }
        for (NativeBuckets side : new NativeBuckets[] {h.positive(), h.negative()}) {
            for (double count : side.counts()) {
                if (!ProtobufRenderer.isIntegral(count)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** One span per run of consecutive indices; the first offset is absolute, the others are gaps. */
    private static void writeSpans(ProtoWriter wire, int field, NativeBuckets buckets) {
        int[] indices = buckets.indices();
        int previousEnd = 0; // one past the last index of the previous span
        int start = 0;
        for (int i = 1; i <= indices.length; i++) {
            if (i == indices.length || indices[i] != indices[i - 1] + 1) {
                span(wire, field, start == 0 ? indices[0] : indices[start] - previousEnd, i - start);
                previousEnd = indices[i - 1] + 1;
                start = i;
            }
        }
    }

    private static void span(ProtoWriter wire, int field, int offset, int length) {
        int span = wire.beginLengthDelimited(field);
        wire.varintField(BucketSpan.OFFSET_FIELD_NUMBER, WireFormat.encodeZigZag(offset));
        wire.varintField(BucketSpan.LENGTH_FIELD_NUMBER, length);
        wire.endLengthDelimited(span);
    }

    /** Integer histograms: each bucket as its difference to the previous one (the first to 0); float: absolute. */
    private static void writeCounts(ProtoWriter wire, int field, boolean deltas, NativeBuckets buckets) {
        long previous = 0;
        for (double count : buckets.counts()) {
            if (deltas) {
                long current = (long) count;
                wire.varintField(field, WireFormat.encodeZigZag(current - previous));
                previous = current;
            } else {
                wire.doubleField(field, count);
            }
        }
    }
}
