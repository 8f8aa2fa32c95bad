package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;

import java.util.Arrays;

/**
 * Encodes a native histogram as the body of an {@code io.prometheus.client.Histogram} message,
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
 *   <li>classic buckets, when the series has them, without the implicit {@code +Inf} bucket.</li>
 * </ul>
 *
 * One encoder serves one render: it reuses its buffer from series to series.
 */
final class NativeHistogramEncoder {
    // wire types
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LEN = 2;
    // Histogram
    private static final int SAMPLE_COUNT = 1;
    private static final int SAMPLE_SUM = 2;
    private static final int BUCKET = 3;
    private static final int SAMPLE_COUNT_FLOAT = 4;
    private static final int SCHEMA = 5;
    private static final int ZERO_THRESHOLD = 6;
    private static final int ZERO_COUNT = 7;
    private static final int ZERO_COUNT_FLOAT = 8;
    private static final int NEGATIVE_SPAN = 9;
    private static final int NEGATIVE_DELTA = 10;
    private static final int NEGATIVE_COUNT = 11;
    private static final int POSITIVE_SPAN = 12;
    private static final int POSITIVE_DELTA = 13;
    private static final int POSITIVE_COUNT = 14;
    // Bucket
    private static final int BUCKET_CUMULATIVE_COUNT = 1;
    private static final int BUCKET_UPPER_BOUND = 2;
    private static final int BUCKET_CUMULATIVE_COUNT_FLOAT = 4;
    // BucketSpan
    private static final int SPAN_OFFSET = 1;
    private static final int SPAN_LENGTH = 2;

    private byte[] buf = new byte[256];
    private int pos;

    /** Encodes {@code h}; the message body is then the first {@code size} bytes of {@link #buffer()}. */
    int encode(NativeHistogram h) {
        pos = 0;
        boolean integer = !h.floatCounts() && isIntegerHistogram(h);
        if (integer) {
            tag(SAMPLE_COUNT, VARINT).varint((long) h.count());
        }
        tag(SAMPLE_SUM, FIXED64).fixed64(h.sum());
        if (h.classic() != null) {
            writeClassicBuckets(h.classic());
        }
        if (!integer) {
            tag(SAMPLE_COUNT_FLOAT, FIXED64).fixed64(h.count());
        }
        tag(SCHEMA, VARINT).varint(zigzag(h.schema()));
        tag(ZERO_THRESHOLD, FIXED64).fixed64(h.zeroThreshold());
        if (integer) {
            tag(ZERO_COUNT, VARINT).varint((long) h.zeroCount());
        } else {
            tag(ZERO_COUNT_FLOAT, FIXED64).fixed64(h.zeroCount());
        }
        writeSpans(NEGATIVE_SPAN, h.negative());
        writeCounts(integer ? NEGATIVE_DELTA : NEGATIVE_COUNT, integer, h.negative());
        if (h.positive().isEmpty() && h.negative().isEmpty()) {
            span(POSITIVE_SPAN, 0, 0);
        } else {
            writeSpans(POSITIVE_SPAN, h.positive());
        }
        writeCounts(integer ? POSITIVE_DELTA : POSITIVE_COUNT, integer, h.positive());
        return pos;
    }

    byte[] buffer() {
        return buf;
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

    private void writeClassicBuckets(ClassicHistogram classic) {
        double[] bounds = classic.upperBounds();
        double[] cumulative = classic.cumulativeCounts();
        int n = bounds.length > 0 && bounds[bounds.length - 1] == Double.POSITIVE_INFINITY ? bounds.length - 1 : bounds.length;
        for (int i = 0; i < n; i++) {
            double count = cumulative[i];
            boolean integral = ProtobufRenderer.isIntegral(count);
            int size = (integral ? 1 + varintSize((long) count) : 9) + 9;
            tag(BUCKET, LEN).varint(size);
            if (integral) {
                tag(BUCKET_CUMULATIVE_COUNT, VARINT).varint((long) count);
            }
            tag(BUCKET_UPPER_BOUND, FIXED64).fixed64(bounds[i]);
            if (!integral) {
                tag(BUCKET_CUMULATIVE_COUNT_FLOAT, FIXED64).fixed64(count);
            }
        }
    }

    /** One span per run of consecutive indices; the first offset is absolute, the others are gaps. */
    private void writeSpans(int field, NativeBuckets buckets) {
        int[] indices = buckets.indices();
        int previousEnd = 0; // one past the last index of the previous span
        int start = 0;
        for (int i = 1; i <= indices.length; i++) {
            if (i == indices.length || indices[i] != indices[i - 1] + 1) {
                span(field, start == 0 ? indices[0] : indices[start] - previousEnd, i - start);
                previousEnd = indices[i - 1] + 1;
                start = i;
            }
        }
    }

    private void span(int field, int offset, int length) {
        long zigzagOffset = zigzag(offset);
        tag(field, LEN).varint(2 + varintSize(zigzagOffset) + varintSize(length));
        tag(SPAN_OFFSET, VARINT).varint(zigzagOffset);
        tag(SPAN_LENGTH, VARINT).varint(length);
    }

    /** Integer histograms: each bucket as its difference to the previous one (the first to 0); float: absolute. */
    private void writeCounts(int field, boolean deltas, NativeBuckets buckets) {
        long previous = 0;
        for (double count : buckets.counts()) {
            if (deltas) {
                long current = (long) count;
                tag(field, VARINT).varint(zigzag(current - previous));
                previous = current;
            } else {
                tag(field, FIXED64).fixed64(count);
            }
        }
    }

    private static long zigzag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    private NativeHistogramEncoder tag(int field, int wireType) {
        ensure(1);
        buf[pos++] = (byte) (field << 3 | wireType); // every field number here is below 16
        return this;
    }

    private NativeHistogramEncoder varint(long value) {
        ensure(10);
        while ((value & ~0x7fL) != 0) {
            buf[pos++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buf[pos++] = (byte) value;
        return this;
    }

    private NativeHistogramEncoder fixed64(double value) {
        ensure(8);
        long bits = Double.doubleToRawLongBits(value);
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) bits;
            bits >>>= 8;
        }
        return this;
    }

    private static int varintSize(long value) {
        int size = 1;
        while ((value & ~0x7fL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    private void ensure(int n) {
        if (buf.length - pos < n) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }
}
