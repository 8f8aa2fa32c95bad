package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.ClassicHistogramView;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeHistogramView;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.SeriesView;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Renders the Prometheus protobuf format: one length-delimited {@code io.prometheus.client.MetricFamily}
 * per family, byte for byte what {@code MetricFamily.writeDelimitedTo} writes for the same message.
 *
 * <p>The messages are encoded here rather than built with the generated classes: a million series
 * would otherwise cost millions of short-lived message and string objects per scrape. Label names and
 * values go out as the UTF-8 bytes {@link Labels} already holds. Families of counters, gauges and
 * untyped series are streamed in two passes (their encoded size depends on the labels only);
 * histogram families are encoded into a buffer first, since each series must be read exactly once
 * and its size depends on what it holds.
 *
 * <p>Classic histograms are written as client_golang writes them: buckets in ascending order
 * without the {@code +Inf} bucket, which is implicit in {@code sample_count}. Counts that are
 * non-negative integers go into {@code cumulative_count}/{@code sample_count}, others into the
 * {@code _float} fields. Native histograms are encoded by {@link NativeHistogramEncoder}.
 * Renderers hold no state, so one instance may serve concurrent scrapes.
 */
public final class ProtobufRenderer {
    public static final String CONTENT_TYPE =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    // wire types
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LEN = 2;

    // MetricFamily
    private static final int FAMILY_NAME = 1;
    private static final int FAMILY_HELP = 2;
    private static final int FAMILY_TYPE = 3;
    private static final int FAMILY_METRIC = 4;
    // Metric
    private static final int METRIC_LABEL = 1;
    private static final int METRIC_GAUGE = 2;
    private static final int METRIC_COUNTER = 3;
    private static final int METRIC_UNTYPED = 5;
    private static final int METRIC_HISTOGRAM = 7;
    // LabelPair
    private static final int LABEL_NAME = 1;
    private static final int LABEL_VALUE = 2;
    // Gauge, Counter, Untyped
    private static final int SCALAR_VALUE = 1;
    // Histogram
    private static final int HISTOGRAM_SAMPLE_COUNT = 1;
    private static final int HISTOGRAM_SAMPLE_SUM = 2;
    private static final int HISTOGRAM_BUCKET = 3;
    private static final int HISTOGRAM_SAMPLE_COUNT_FLOAT = 4;
    // Bucket
    private static final int BUCKET_CUMULATIVE_COUNT = 1;
    private static final int BUCKET_UPPER_BOUND = 2;
    private static final int BUCKET_CUMULATIVE_COUNT_FLOAT = 4;

    /** Encoded size of a scalar's value message field: tag, length 9, then tag and 8 bytes of double. */
    private static final int SCALAR_FIELD_SIZE = 1 + 1 + 1 + 8;

    public void render(List<FamilyView> families, OutputStream out) throws IOException {
        Wire stream = new Wire(out);
        Wire histogramBuffer = null;
        NativeHistogramEncoder nativeEncoder = new NativeHistogramEncoder();
        LabelEncoder labels = new LabelEncoder();
        int[] metricSizes = new int[0];
        for (FamilyView family : families) {
            byte[] name = family.name().getBytes(StandardCharsets.UTF_8);
            byte[] help = family.help().getBytes(StandardCharsets.UTF_8);
            int type = protoType(family.type());
            int headerSize = bytesFieldSize(name.length) + (help.length > 0 ? bytesFieldSize(help.length) : 0)
                    + 1 + Wire.varintSize(type);
            List<SeriesView> series = family.series();
            if (family.type().isHistogram()) {
                if (histogramBuffer == null) {
                    histogramBuffer = new Wire(null);
                }
                Wire body = histogramBuffer;
                body.reset();
                writeHeader(body, name, help, type, headerSize);
                for (SeriesView cell : series) {
                    switch (cell) {
                        case ClassicHistogramView classic -> writeHistogramMetric(body, labels, classic);
                        case NativeHistogramView nativeCell -> writeNativeHistogramMetric(body, labels, nativeEncoder, nativeCell);
                        case ScalarView scalar -> throw new IllegalStateException("a plain sample in histogram family "
                                + family.name() + ": " + scalar.labels());
                    }
                }
                stream.reserve(10);
                stream.varint(body.size());
                stream.write(body);
            } else {
                // pass 1: sizes, which depend on the labels only (a value is always 8 bytes)
                if (metricSizes.length < series.size()) {
                    metricSizes = new int[Math.max(series.size(), metricSizes.length * 2)];
                }
                long familySize = headerSize;
                for (int i = 0; i < series.size(); i++) {
                    int size = labels.size(series.get(i).labels()) + SCALAR_FIELD_SIZE;
                    metricSizes[i] = size;
                    familySize += 1 + Wire.varintSize(size) + size;
                }
                if (familySize > Integer.MAX_VALUE) {
                    throw new IOException("family " + family.name() + " exceeds the 2 GiB protobuf message limit");
                }
                stream.reserve(10);
                stream.varint(familySize);
                writeHeader(stream, name, help, type, headerSize);
                int valueField = switch (family.type()) {
                    case COUNTER -> METRIC_COUNTER;
                    case GAUGE -> METRIC_GAUGE;
                    default -> METRIC_UNTYPED;
                };
                // pass 2: the metrics
                for (int i = 0; i < series.size(); i++) {
                    ScalarView cell = (ScalarView) series.get(i);
                    int size = metricSizes[i];
                    stream.reserve(1 + 5 + size);
                    stream.tag(FAMILY_METRIC, LEN).varint(size);
                    labels.write(stream, cell.labels());
                    stream.tag(valueField, LEN).varint(9).tag(SCALAR_VALUE, FIXED64).fixed64(cell.value());
                }
            }
        }
        stream.flush();
    }

    private static void writeHeader(Wire wire, byte[] name, byte[] help, int type, int headerSize) throws IOException {
        wire.reserve(headerSize);
        wire.tag(FAMILY_NAME, LEN).varint(name.length).bytes(name, 0, name.length);
        if (help.length > 0) {
            wire.tag(FAMILY_HELP, LEN).varint(help.length).bytes(help, 0, help.length);
        }
        wire.tag(FAMILY_TYPE, VARINT).varint(type);
    }

    private static void writeHistogramMetric(Wire wire, LabelEncoder labels, ClassicHistogramView cell) throws IOException {
        HistogramValues h = cell.read();
        double[] bounds = h.bounds();
        double[] cumulative = h.cumulative();
        // the +Inf bucket is implicit in sample_count
        int buckets = bounds.length > 0 && bounds[bounds.length - 1] == Double.POSITIVE_INFINITY
                ? bounds.length - 1 : bounds.length;
        int histogramSize = countFieldSize(h.count()) + 9; // sample_count(_float), sample_sum
        for (int i = 0; i < buckets; i++) {
            int bucketSize = countFieldSize(cumulative[i]) + 9;
            histogramSize += 1 + Wire.varintSize(bucketSize) + bucketSize;
        }
        int metricSize = labels.size(cell.labels()) + 1 + Wire.varintSize(histogramSize) + histogramSize;
        wire.reserve(1 + 5 + metricSize);
        wire.tag(FAMILY_METRIC, LEN).varint(metricSize);
        labels.write(wire, cell.labels());
        wire.tag(METRIC_HISTOGRAM, LEN).varint(histogramSize);
        // fields in number order, as protobuf-java writes them
        if (isIntegral(h.count())) {
            wire.tag(HISTOGRAM_SAMPLE_COUNT, VARINT).varint((long) h.count());
        }
        wire.tag(HISTOGRAM_SAMPLE_SUM, FIXED64).fixed64(h.sum());
        for (int i = 0; i < buckets; i++) {
            double count = cumulative[i];
            int bucketSize = countFieldSize(count) + 9;
            wire.tag(HISTOGRAM_BUCKET, LEN).varint(bucketSize);
            if (isIntegral(count)) {
                wire.tag(BUCKET_CUMULATIVE_COUNT, VARINT).varint((long) count);
            }
            wire.tag(BUCKET_UPPER_BOUND, FIXED64).fixed64(bounds[i]);
            if (!isIntegral(count)) {
                wire.tag(BUCKET_CUMULATIVE_COUNT_FLOAT, FIXED64).fixed64(count);
            }
        }
        if (!isIntegral(h.count())) {
            wire.tag(HISTOGRAM_SAMPLE_COUNT_FLOAT, FIXED64).fixed64(h.count());
        }
    }

    private static void writeNativeHistogramMetric(Wire wire, LabelEncoder labels, NativeHistogramEncoder encoder,
                                                   NativeHistogramView cell) throws IOException {
        int histogramSize = encoder.encode(cell.read());
        int metricSize = labels.size(cell.labels()) + 1 + Wire.varintSize(histogramSize) + histogramSize;
        wire.reserve(1 + 5 + metricSize);
        wire.tag(FAMILY_METRIC, LEN).varint(metricSize);
        labels.write(wire, cell.labels());
        wire.tag(METRIC_HISTOGRAM, LEN).varint(histogramSize).bytes(encoder.buffer(), 0, histogramSize);
    }

    /** Whether a count fits the {@code uint64} field exactly. */
    static boolean isIntegral(double count) {
        return count >= 0 && count < 0x1p63 && count == Math.rint(count);
    }

    /** Size of a count field: a varint for integral counts, else a double. */
    private static int countFieldSize(double count) {
        return isIntegral(count) ? 1 + Wire.varintSize((long) count) : 9;
    }

    private static int bytesFieldSize(int length) {
        return 1 + Wire.varintSize(length) + length;
    }

    private static int protoType(MetricType type) {
        return switch (type) {
            case COUNTER -> io.aggregationgateway.proto.metrics.MetricType.COUNTER_VALUE;
            case GAUGE -> io.aggregationgateway.proto.metrics.MetricType.GAUGE_VALUE;
            case SUMMARY -> io.aggregationgateway.proto.metrics.MetricType.SUMMARY_VALUE;
            case UNTYPED -> io.aggregationgateway.proto.metrics.MetricType.UNTYPED_VALUE;
            case HISTOGRAM -> io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM_VALUE;
            case GAUGE_HISTOGRAM -> io.aggregationgateway.proto.metrics.MetricType.GAUGE_HISTOGRAM_VALUE;
        };
    }

    /** Sizes and writes the repeated {@code LabelPair} fields of a metric; one per render, reused for every series. */
    private static final class LabelEncoder implements Labels.RawLabelVisitor {
        private Wire target;
        private int size;

        int size(Labels labels) {
            target = null;
            size = 0;
            labels.forEachRaw(this);
            return size;
        }

        /** Writes the labels; the caller has reserved room for them. */
        void write(Wire wire, Labels labels) {
            target = wire;
            labels.forEachRaw(this);
            target = null;
        }

        @Override
        public void visit(byte[] buf, int nameOffset, int nameLength, int valueOffset, int valueLength) {
            int pairSize = bytesFieldSize(nameLength) + bytesFieldSize(valueLength);
            if (target == null) {
                size += 1 + Wire.varintSize(pairSize) + pairSize;
                return;
            }
            target.tag(METRIC_LABEL, LEN).varint(pairSize)
                    .tag(LABEL_NAME, LEN).varint(nameLength).bytes(buf, nameOffset, nameLength)
                    .tag(LABEL_VALUE, LEN).varint(valueLength).bytes(buf, valueOffset, valueLength);
        }
    }

    /**
     * A protobuf writer over a byte array. With an output stream it is a 64 KiB buffer drained by
     * {@link #reserve}; without one it grows and holds everything written. Only {@code reserve},
     * {@code write} and {@code flush} do I/O; the encoding methods assume the room was reserved.
     */
    private static final class Wire {
        private final OutputStream out;
        private byte[] buf;
        private int pos;

        Wire(OutputStream out) {
            this.out = out;
            this.buf = new byte[64 * 1024];
        }

        void reset() {
            pos = 0;
        }

        int size() {
            return pos;
        }

        /** Makes room for {@code n} more bytes. */
        void reserve(int n) throws IOException {
            if (buf.length - pos >= n) {
                return;
            }
            if (out != null) {
                drain();
            }
            if (buf.length - pos < n) {
                buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8,
                        Math.max((long) buf.length * 2, (long) pos + n)));
            }
        }

        /** Appends everything another (buffering) wire holds. */
        void write(Wire other) throws IOException {
            if (buf.length - pos >= other.pos) {
                System.arraycopy(other.buf, 0, buf, pos, other.pos);
                pos += other.pos;
            } else {
                drain();
                out.write(other.buf, 0, other.pos);
            }
        }

        Wire tag(int field, int wireType) {
            buf[pos++] = (byte) (field << 3 | wireType); // every field number here is below 16
            return this;
        }

        Wire varint(long value) {
            while ((value & ~0x7fL) != 0) {
                buf[pos++] = (byte) ((value & 0x7f) | 0x80);
                value >>>= 7;
            }
            buf[pos++] = (byte) value;
            return this;
        }

        Wire fixed64(double value) {
            long bits = Double.doubleToRawLongBits(value);
            for (int i = 0; i < 8; i++) {
                buf[pos++] = (byte) bits;
                bits >>>= 8;
            }
            return this;
        }

        Wire bytes(byte[] src, int offset, int length) {
            System.arraycopy(src, offset, buf, pos, length);
            pos += length;
            return this;
        }

        static int varintSize(long value) {
            int size = 1;
            while ((value & ~0x7fL) != 0) {
                value >>>= 7;
                size++;
            }
            return size;
        }

        void flush() throws IOException {
            drain();
            out.flush();
        }

        private void drain() throws IOException {
            if (pos > 0) {
                out.write(buf, 0, pos);
                pos = 0;
            }
        }
    }
}
