package io.aggregationgateway.server.expose;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.server.model.ClassicHistogramView;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricNames;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.NativeHistogramView;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.SeriesView;
import io.aggregationgateway.server.protowire.ProtoWriter;
import io.aggregationgateway.server.protowire.WireFormat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static io.aggregationgateway.server.protowire.WireFormat.LENGTH_DELIMITED;

/**
 * Renders the Prometheus protobuf format: one length-delimited {@code io.prometheus.client.MetricFamily}
 * per family, byte for byte what {@code MetricFamily.writeDelimitedTo} writes for the same message.
 *
 * <p>The messages are encoded here rather than built with the generated classes: a million series
 * would otherwise cost millions of short-lived message and string objects per scrape. Label names and
 * values go out as the UTF-8 bytes {@link Labels} already holds. Families of counters, gauges and
 * untyped series are streamed in two passes (their encoded size depends on the labels only);
 * histogram families are encoded into a buffer first, since each series must be read exactly once
 * and its size depends on what it holds: {@link ProtoWriter} writes each nested message's length
 * once the message is written.
 *
 * <p>Classic histograms are written as client_golang writes them (see {@link #writeClassicFields}).
 * Native histograms are encoded by {@link NativeHistogramEncoder}. Names go out as they are, any
 * UTF-8, or escaped as the scrape asked ({@link ScrapeFormat}). With {@link #WITH_CREATED}, counters
 * and histograms (not gauge histograms) carry their start as {@code created_timestamp}.
 * Renderers hold no state, so one instance may serve concurrent scrapes.
 */
public final class ProtobufRenderer {
    public static final String CONTENT_TYPE =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    /** A renderer that writes {@code created_timestamp}, as scrapes get it. */
    public static final ProtobufRenderer WITH_CREATED = new ProtobufRenderer(true);

    private static final int TIMESTAMP_SECONDS = com.google.protobuf.Timestamp.SECONDS_FIELD_NUMBER;
    private static final int TIMESTAMP_NANOS = com.google.protobuf.Timestamp.NANOS_FIELD_NUMBER;

    // field numbers: the generated classes' constants
    private static final int FAMILY_NAME = io.aggregationgateway.proto.metrics.MetricFamily.NAME_FIELD_NUMBER;
    private static final int FAMILY_HELP = io.aggregationgateway.proto.metrics.MetricFamily.HELP_FIELD_NUMBER;
    private static final int FAMILY_TYPE = io.aggregationgateway.proto.metrics.MetricFamily.TYPE_FIELD_NUMBER;
    private static final int FAMILY_METRIC = io.aggregationgateway.proto.metrics.MetricFamily.METRIC_FIELD_NUMBER;
    // Counter, Gauge and Untyped number their value alike
    private static final int SCALAR_VALUE = Counter.VALUE_FIELD_NUMBER;

    /** Encoded size of a scalar's value message field: tag, length 9, then a double field. */
    private static final int SCALAR_FIELD_SIZE = 1 + 1 + ProtoWriter.DOUBLE_FIELD_BYTES;
    /** Most bytes of one classic bucket field: tag, length, count, bound. */
    private static final int BUCKET_FIELD_MAX_BYTES = 1 + 1 + ProtoWriter.VARINT_FIELD_BYTES + ProtoWriter.DOUBLE_FIELD_BYTES;

    private final boolean created;

    /** A renderer without {@code created_timestamp}. */
    public ProtobufRenderer() {
        this(false);
    }

    private ProtobufRenderer(boolean created) {
        this.created = created;
    }

    /** Names as they are. */
    public void render(List<FamilyView> families, OutputStream out) throws IOException {
        render(families, out, NameEscaping.ALLOW_UTF8);
    }

    /**
     * Renders with names written as {@code escaping} says.
     *
     * @return what {@link ScrapeFormat#render} returns
     */
    public List<String> render(List<FamilyView> families, OutputStream out, NameEscaping escaping) throws IOException {
        ProtoWriter stream = new ProtoWriter(out, 64 * 1024);
        ProtoWriter histogramBuffer = null;
        NativeHistogramEncoder nativeEncoder = new NativeHistogramEncoder();
        LabelEncoder labels = new LabelEncoder();
        List<String> leftOutReport = new ArrayList<>();
        int[] metricSizes = new int[0];
        for (FamilyView family : families) {
            byte[] name = escaping.metricName(family.name()).getBytes(StandardCharsets.UTF_8);
            boolean escapesLabels = escaping != NameEscaping.ALLOW_UTF8 && family.utf8LabelNames();
            BitSet leftOut = escapesLabels ? EscapedSeries.leftOut(family, escaping, leftOutReport) : null;
            labels.escaping(escapesLabels ? escaping : null);
            byte[] help = family.help().getBytes(StandardCharsets.UTF_8);
            int type = protoType(family.type());
            int headerSize = ProtoWriter.lengthDelimitedFieldSize(FAMILY_NAME, name.length)
                    + (help.length > 0 ? ProtoWriter.lengthDelimitedFieldSize(FAMILY_HELP, help.length) : 0)
                    + ProtoWriter.tagSize(FAMILY_TYPE) + WireFormat.varintSize(type);
            List<SeriesView> series = family.series();
            if (family.type().isHistogram()) {
                if (histogramBuffer == null) {
                    histogramBuffer = new ProtoWriter(64 * 1024);
                }
                ProtoWriter body = histogramBuffer;
                body.reset();
                writeHeader(body, name, help, type, headerSize);
                StartField start = created && family.type() == MetricType.HISTOGRAM
                        ? new StartField(Histogram.CREATED_TIMESTAMP_FIELD_NUMBER) : null;
                for (int i = 0; i < series.size(); i++) {
                    if (leftOut != null && leftOut.get(i)) {
                        continue;
                    }
                    switch (series.get(i)) {
                        case ClassicHistogramView classic -> writeHistogramMetric(body, labels, classic, start);
                        case NativeHistogramView nativeCell ->
                                writeNativeHistogramMetric(body, labels, nativeEncoder, nativeCell, start);
                        case ScalarView scalar -> throw new IllegalStateException("a plain sample in histogram family "
                                + family.name() + ": " + scalar.labels());
                    }
                }
                stream.reserve(WireFormat.MAX_VARINT_BYTES);
                stream.varint(body.size());
                stream.write(body);
            } else {
                // pass 1: sizes, which depend on the labels and the start only (a value is always 8 bytes)
                if (metricSizes.length < series.size()) {
                    metricSizes = new int[Math.max(series.size(), metricSizes.length * 2)];
                }
                StartField start = created && family.type() == MetricType.COUNTER
                        ? new StartField(Counter.CREATED_TIMESTAMP_FIELD_NUMBER) : null;
                long familySize = headerSize;
                for (int i = 0; i < series.size(); i++) {
                    if (leftOut != null && leftOut.get(i)) {
                        continue;
                    }
                    SeriesView view = series.get(i);
                    int size = labels.size(view.labels()) + (start == null ? SCALAR_FIELD_SIZE
                            : ProtoWriter.lengthDelimitedFieldSize(Metric.COUNTER_FIELD_NUMBER,
                                    ProtoWriter.DOUBLE_FIELD_BYTES + start.of(view.startMillis()).length));
                    metricSizes[i] = size;
                    familySize += ProtoWriter.lengthDelimitedFieldSize(FAMILY_METRIC, size);
                }
                if (familySize > Integer.MAX_VALUE) {
                    throw new IOException("family " + family.name() + " exceeds the 2 GiB protobuf message limit");
                }
                stream.reserve(WireFormat.MAX_VARINT_BYTES);
                stream.varint(familySize);
                writeHeader(stream, name, help, type, headerSize);
                int valueField = switch (family.type()) {
                    case COUNTER -> Metric.COUNTER_FIELD_NUMBER;
                    case GAUGE -> Metric.GAUGE_FIELD_NUMBER;
                    default -> Metric.UNTYPED_FIELD_NUMBER;
                };
                // pass 2: the metrics
                for (int i = 0; i < series.size(); i++) {
                    if (leftOut != null && leftOut.get(i)) {
                        continue;
                    }
                    ScalarView cell = (ScalarView) series.get(i);
                    int size = metricSizes[i];
                    stream.reserve(1 + 5 + size);
                    stream.tag(FAMILY_METRIC, LENGTH_DELIMITED).varint(size);
                    labels.write(stream, cell.labels());
                    byte[] startField = start == null ? StartField.NONE : start.of(cell.startMillis());
                    stream.tag(valueField, LENGTH_DELIMITED).varint(ProtoWriter.DOUBLE_FIELD_BYTES + startField.length)
                            .doubleField(SCALAR_VALUE, cell.value()).bytes(startField, 0, startField.length);
                }
            }
        }
        stream.flush();
        return leftOutReport;
    }

    private static void writeHeader(ProtoWriter wire, byte[] name, byte[] help, int type, int headerSize) throws IOException {
        wire.reserve(headerSize);
        wire.bytesField(FAMILY_NAME, name, 0, name.length);
        if (help.length > 0) {
            wire.bytesField(FAMILY_HELP, help, 0, help.length);
        }
        wire.varintField(FAMILY_TYPE, type);
    }

    private static void writeHistogramMetric(ProtoWriter wire, LabelEncoder labels, ClassicHistogramView cell,
                                             StartField start) throws IOException {
        HistogramValues h = cell.read();
        int metric = beginMetric(wire, labels, cell.labels());
        int histogram = wire.beginLengthDelimited(Metric.HISTOGRAM_FIELD_NUMBER);
        writeClassicFields(wire, h.count(), isIntegral(h.count()), h.sum(), h.bounds(), h.cumulative());
        writeHistogramStart(wire, start, cell);
        wire.endLengthDelimited(histogram);
        wire.endLengthDelimited(metric);
    }

    private static void writeNativeHistogramMetric(ProtoWriter wire, LabelEncoder labels, NativeHistogramEncoder encoder,
                                                   NativeHistogramView cell, StartField start) throws IOException {
        int metric = beginMetric(wire, labels, cell.labels());
        int histogram = wire.beginLengthDelimited(Metric.HISTOGRAM_FIELD_NUMBER);
        encoder.encode(wire, cell.read());
        writeHistogramStart(wire, start, cell);
        wire.endLengthDelimited(histogram);
        wire.endLengthDelimited(metric);
    }

    /** {@code created_timestamp} (15) after the fields up to 14, as protobuf-java orders them. */
    private static void writeHistogramStart(ProtoWriter wire, StartField start, SeriesView cell) throws IOException {
        if (start != null) {
            byte[] field = start.of(cell.startMillis());
            wire.reserve(field.length);
            wire.bytes(field, 0, field.length);
        }
    }

    /**
     * A {@code created_timestamp} field (a {@code google.protobuf.Timestamp}) as protobuf-java writes it,
     * zero fields left out; nothing for {@link SeriesView#NO_START}. It keeps the last start's encoding:
     * the series of one push share their start.
     */
    private static final class StartField {
        private static final byte[] NONE = new byte[0];
        private final int fieldNumber;
        private long millis = SeriesView.NO_START;
        private byte[] encoded = NONE;

        StartField(int fieldNumber) {
            this.fieldNumber = fieldNumber;
        }

        byte[] of(long startMillis) {
            if (startMillis == millis) {
                return encoded;
            }
            millis = startMillis;
            if (startMillis == SeriesView.NO_START) {
                encoded = NONE;
                return encoded;
            }
            long seconds = Math.floorDiv(startMillis, 1000);
            int nanos = (int) Math.floorMod(startMillis, 1000) * 1_000_000;
            int size = (seconds != 0 ? ProtoWriter.tagSize(TIMESTAMP_SECONDS) + WireFormat.varintSize(seconds) : 0)
                    + (nanos != 0 ? ProtoWriter.tagSize(TIMESTAMP_NANOS) + WireFormat.varintSize(nanos) : 0);
            byte[] out = new byte[ProtoWriter.lengthDelimitedFieldSize(fieldNumber, size)];
            int pos = WireFormat.writeVarint(out, 0, WireFormat.tag(fieldNumber, LENGTH_DELIMITED));
            pos = WireFormat.writeVarint(out, pos, size);
            if (seconds != 0) {
                pos = WireFormat.writeVarint(out, pos, WireFormat.tag(TIMESTAMP_SECONDS, WireFormat.VARINT));
                pos = WireFormat.writeVarint(out, pos, seconds);
            }
            if (nanos != 0) {
                pos = WireFormat.writeVarint(out, pos, WireFormat.tag(TIMESTAMP_NANOS, WireFormat.VARINT));
                WireFormat.writeVarint(out, pos, nanos);
            }
            encoded = out;
            return encoded;
        }
    }

    /** Opens a histogram family's {@code Metric} and writes its labels; leaves room to open its {@code Histogram}. */
    private static int beginMetric(ProtoWriter wire, LabelEncoder labels, Labels seriesLabels) throws IOException {
        int labelBytes = labels.size(seriesLabels);
        wire.reserve(2 * (ProtoWriter.MAX_TAG_BYTES + 1) + labelBytes);
        int metric = wire.beginLengthDelimited(FAMILY_METRIC);
        labels.write(wire, seriesLabels);
        return metric;
    }

    /**
     * A {@code Histogram}'s classic fields, in field-number order as protobuf-java writes them:
     * {@code sample_count}, {@code sample_sum}, the buckets, {@code sample_count_float}. The buckets
     * are written as client_golang writes them: ascending, without the {@code +Inf} bucket (implicit
     * in the count); each count that is an exact {@code uint64} goes into {@code cumulative_count},
     * others into {@code cumulative_count_float}. The native fields, if any, follow.
     *
     * @param integerCount whether the count goes into {@code sample_count} rather than {@code sample_count_float}
     */
    static void writeClassicFields(ProtoWriter wire, double count, boolean integerCount, double sum,
                                   double[] bounds, double[] cumulative) throws IOException {
        int buckets = bounds.length > 0 && bounds[bounds.length - 1] == Double.POSITIVE_INFINITY
                ? bounds.length - 1 : bounds.length;
        wire.reserve(ProtoWriter.VARINT_FIELD_BYTES + 2 * ProtoWriter.DOUBLE_FIELD_BYTES + buckets * BUCKET_FIELD_MAX_BYTES);
        if (integerCount) {
            wire.varintField(Histogram.SAMPLE_COUNT_FIELD_NUMBER, (long) count);
        }
        wire.doubleField(Histogram.SAMPLE_SUM_FIELD_NUMBER, sum);
        for (int i = 0; i < buckets; i++) {
            double bucketCount = cumulative[i];
            int bucket = wire.beginLengthDelimited(Histogram.BUCKET_FIELD_NUMBER);
            boolean integral = isIntegral(bucketCount);
            if (integral) {
                wire.varintField(Bucket.CUMULATIVE_COUNT_FIELD_NUMBER, (long) bucketCount);
            }
            wire.doubleField(Bucket.UPPER_BOUND_FIELD_NUMBER, bounds[i]);
            if (!integral) {
                wire.doubleField(Bucket.CUMULATIVE_COUNT_FLOAT_FIELD_NUMBER, bucketCount);
            }
            wire.endLengthDelimited(bucket);
        }
        if (!integerCount) {
            wire.doubleField(Histogram.SAMPLE_COUNT_FLOAT_FIELD_NUMBER, count);
        }
    }

    /** Whether a count fits the {@code uint64} field exactly. */
    static boolean isIntegral(double count) {
        return count >= 0 && count < 0x1p63 && count == Math.rint(count);
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

    /**
     * Sizes and writes the repeated {@code LabelPair} fields of a metric; one per render, reused for
     * every series. Label names outside the legacy set are escaped when a scheme is set.
     */
    private static final class LabelEncoder implements Labels.RawLabelVisitor {
        private final EscapedLabelNames escapedNames = new EscapedLabelNames();
        private NameEscaping escaping;
        private ProtoWriter target;
        private int size;

        /** The scheme for the next family's label names, or {@code null} to write them as they are. */
        void escaping(NameEscaping escaping) {
            this.escaping = escaping;
        }

        int size(Labels labels) {
            target = null;
            size = 0;
            labels.forEachRaw(this);
            return size;
        }

        /** Writes the labels; the caller has reserved room for them. */
        void write(ProtoWriter wire, Labels labels) {
            target = wire;
            labels.forEachRaw(this);
            target = null;
        }

        @Override
        public void visit(byte[] buf, int nameOffset, int nameLength, int valueOffset, int valueLength) {
            if (escaping != null && !MetricNames.isLegacyLabelName(buf, nameOffset, nameLength)) {
                byte[] escaped = escapedNames.escaped(escaping, buf, nameOffset, nameLength);
                visitPair(escaped, 0, escaped.length, buf, valueOffset, valueLength);
            } else {
                visitPair(buf, nameOffset, nameLength, buf, valueOffset, valueLength);
            }
        }

        private void visitPair(byte[] nameBuf, int nameOffset, int nameLength, byte[] buf, int valueOffset, int valueLength) {
            int pairSize = ProtoWriter.lengthDelimitedFieldSize(LabelPair.NAME_FIELD_NUMBER, nameLength)
                    + ProtoWriter.lengthDelimitedFieldSize(LabelPair.VALUE_FIELD_NUMBER, valueLength);
            if (target == null) {
                size += ProtoWriter.lengthDelimitedFieldSize(Metric.LABEL_FIELD_NUMBER, pairSize);
                return;
            }
            target.tag(Metric.LABEL_FIELD_NUMBER, LENGTH_DELIMITED).varint(pairSize)
                    .bytesField(LabelPair.NAME_FIELD_NUMBER, nameBuf, nameOffset, nameLength)
                    .bytesField(LabelPair.VALUE_FIELD_NUMBER, buf, valueOffset, valueLength);
        }
    }
}
