package io.aggregationgateway.server.expose;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.server.model.ClassicHistogramView;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.KnownSizes;
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
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static io.aggregationgateway.server.protowire.WireFormat.LENGTH_DELIMITED;

/**
 * Renders the Prometheus protobuf format: one length-delimited {@code io.prometheus.client.MetricFamily}
 * per family, byte for byte what {@code MetricFamily.writeDelimitedTo} writes for the same message.
 *
 * <p>The messages are encoded here rather than built with the generated classes: a million series
 * would otherwise cost millions of short-lived message and string objects per scrape. Label names and
 * values go out as the UTF-8 bytes {@link Labels} already holds. Families of counters, gauges and
 * untyped series are sized, then rendered, in slices on several threads (their encoded size
 * depends on the labels and start only); a histogram family is encoded whole into one buffer,
 * since each series must be read exactly once and its size depends on what it holds:
 * {@link ProtoWriter} writes each nested message's length once the message is written.
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

    /** Renders with names written as {@code escaping} says, on this thread alone. */
    public List<String> render(List<FamilyView> families, OutputStream out, NameEscaping escaping) throws IOException {
        return render(families, out, RenderWorkers.NONE, escaping);
    }

    /**
     * Renders with names written as {@code escaping} says; slices of the families are sized, then
     * rendered, on {@code workers} and this thread at once, and written in order.
     *
     * @return what {@link ScrapeFormat#render} returns
     */
    public List<String> render(List<FamilyView> families, OutputStream out, RenderWorkers workers, NameEscaping escaping)
            throws IOException {
        return prepare(families, workers, escaping).writeTo(out);
    }

    /**
     * Sizes the scrape: renders nothing yet, but knows the body's length when every family is of
     * counters, gauges or untyped series (see {@link PreparedScrape#length()}).
     *
     * <p>A family's size goes ahead of it, so the series of counter, gauge and untyped families are
     * first sized slice by slice on {@code workers} and this thread (their size depends on labels and
     * start only: a value is always 8 bytes); writing then renders them slice by slice, the first
     * slice of each family writing the family's size and header. A histogram family is rendered whole
     * in one slice, its size known once it is encoded, so a scrape with one has no length ahead.
     */
    PreparedScrape prepare(List<FamilyView> families, RenderWorkers workers, NameEscaping escaping) throws IOException {
        List<String> leftOutReport = new ArrayList<>();
        List<FamilySlice> slices = FamilySlice.split(families, escaping, leftOutReport, true);
        // by slice: a family's slices follow one another, the first starting at 0
        Map<FamilySlice, FamilyPlan> plans = new IdentityHashMap<>(slices.size() * 2);
        List<FamilyPlan> familyPlans = new ArrayList<>(families.size());
        long[] sliceSizes = new long[slices.size()];
        List<Runnable> sizing = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
            FamilySlice slice = slices.get(i);
            if (slice.startsFamily()) {
                familyPlans.add(new FamilyPlan(slice.family(), escaping));
            }
            FamilyPlan plan = familyPlans.get(familyPlans.size() - 1);
            plans.put(slice, plan);
            if (!plan.histogram && !plan.sizedBefore) {
                int index = i;
                sizing.add(() -> sliceSizes[index] = plan.metricsSize(slice));
            }
        }
        OrderedSliceWriter writer = workers.writer();
        writer.runAll(sizing);
        for (int i = 0; i < slices.size(); i++) {
            plans.get(slices.get(i)).familySize += sliceSizes[i];
        }
        long length = 0;
        for (FamilyPlan plan : familyPlans) {
            plan.keepSize();
            if (plan.familySize > Integer.MAX_VALUE) {
                throw new IOException("family " + plan.family.name() + " exceeds the 2 GiB protobuf message limit");
            }
            length = plan.histogram || length == PreparedScrape.UNKNOWN_LENGTH ? PreparedScrape.UNKNOWN_LENGTH
                    : length + WireFormat.varintSize(plan.familySize) + plan.familySize;
        }
        return new PreparedScrape(length, out -> {
            writer.write(slices, SLICE_BUFFERS, (slice, buffer) -> {
                FamilyPlan plan = plans.get(slice);
                buffer.plan = plan.histogram ? null : plan;
                plan.render(slice, buffer);
            }, out);
            out.flush();
            return leftOutReport;
        });
    }

    /**
     * How a scalar family's series were sized: what their size depends on besides the series
     * themselves, so that a size kept in {@link KnownSizes} is reused only by a scrape that writes them alike.
     *
     * @param labelEscaping how label names outside the legacy set are escaped (and which series are
     *                      left out, {@link EscapedSeries}), {@code null}: written as they are
     * @param startField    the start's field number in the value message, 0 for none
     */
    private record SizingWay(NameEscaping labelEscaping, int startField) {
    }

    /**
     * What one family's slices share: its encoded name, help and type, how its labels and starts are
     * written, and (scalar families) its size, summed from its slices' before any is rendered, or
     * known from an earlier scrape of the same series ({@link FamilyView#sizes()}).
     */
    private final class FamilyPlan {
        final FamilyView family;
        final boolean histogram;
        private final byte[] name;
        private final byte[] help;
        private final int type;
        private final int headerSize;
        /** how label names outside the legacy set are escaped, {@code null}: written as they are */
        private final NameEscaping labelEscaping;
        /** the start's field number in the value message, 0 for none */
        private final int startField;
        private final int valueField;
        /** scalar families: the {@code MetricFamily}'s encoded size */
        long familySize;
        private final SizingWay sizingWay;
        /** whether {@link #familySize} is known from an earlier scrape: its slices need no sizing */
        final boolean sizedBefore;
        /** scalar families: bytes of the family written so far, to check them against {@link #familySize} */
        long written;

        FamilyPlan(FamilyView family, NameEscaping escaping) {
            this.family = family;
            this.histogram = family.type().isHistogram();
            this.name = escaping.metricName(family.name()).getBytes(StandardCharsets.UTF_8);
            this.help = family.help().getBytes(StandardCharsets.UTF_8);
            this.type = protoType(family.type());
            this.headerSize = ProtoWriter.lengthDelimitedFieldSize(FAMILY_NAME, name.length)
                    + (help.length > 0 ? ProtoWriter.lengthDelimitedFieldSize(FAMILY_HELP, help.length) : 0)
                    + ProtoWriter.tagSize(FAMILY_TYPE) + WireFormat.varintSize(type);
            this.labelEscaping = escaping != NameEscaping.ALLOW_UTF8 && family.utf8LabelNames() ? escaping : null;
            this.startField = !created ? 0 : switch (family.type()) {
                case COUNTER -> Counter.CREATED_TIMESTAMP_FIELD_NUMBER;
                case HISTOGRAM -> Histogram.CREATED_TIMESTAMP_FIELD_NUMBER;
                default -> 0;
            };
            this.valueField = switch (family.type()) {
                case COUNTER -> Metric.COUNTER_FIELD_NUMBER;
                case GAUGE -> Metric.GAUGE_FIELD_NUMBER;
                default -> Metric.UNTYPED_FIELD_NUMBER;
            };
            this.familySize = headerSize;
            this.sizingWay = new SizingWay(labelEscaping, startField);
            long known = histogram ? KnownSizes.UNKNOWN : family.sizes().size(sizingWay);
            this.sizedBefore = known != KnownSizes.UNKNOWN;
            if (sizedBefore) {
                familySize += known;
            }
        }

        /** Keeps the size of the family's series for later scrapes of the same series (scalar families). */
        void keepSize() {
            if (!histogram && !sizedBefore) {
                family.sizes().keep(sizingWay, familySize - headerSize);
            }
        }

        /**
         * Counts a slice's bytes as they are written; once the family's last slice is, checks that
         * they came to the size written ahead of them, so that a wrong size (one kept for a set of
         * series the view does not hold) cuts the answer short instead of sending a corrupt one.
         */
        void written(int bytes, boolean last) throws IOException {
            written += bytes;
            if (last && written != familySize) {
                throw new IOException("family " + family.name() + " came to " + written + " bytes, not the "
                        + familySize + " written ahead of it");
            }
        }

        /** The encoded size of the slice's {@code metric} fields (scalar families). */
        long metricsSize(FamilySlice slice) {
            LabelEncoder labels = new LabelEncoder(labelEscaping);
            List<SeriesView> series = family.series();
            long size = 0;
            for (int i = slice.from(); i < slice.to(); i++) {
                if (slice.writes(i)) {
                    SeriesView view = series.get(i);
                    size += ProtoWriter.lengthDelimitedFieldSize(FAMILY_METRIC,
                            labels.size(view.labels()) + valueFieldSize(startSize(view)));
                }
            }
            return size;
        }

        private int startSize(SeriesView view) {
            return startField == 0 ? 0 : StartField.size(startField, view.startMillis());
        }

        private int valueFieldSize(int startSize) {
            return ProtoWriter.lengthDelimitedFieldSize(valueField, ProtoWriter.DOUBLE_FIELD_BYTES + startSize);
        }

        void render(FamilySlice slice, ProtobufSlice buffer) throws IOException {
            ProtoWriter wire = buffer.wire;
            LabelEncoder labels = new LabelEncoder(labelEscaping);
            List<SeriesView> series = family.series();
            if (histogram) {
                writeHeader(wire, name, help, type, headerSize);
                NativeHistogramEncoder nativeEncoder = new NativeHistogramEncoder();
                for (int i = slice.from(); i < slice.to(); i++) {
                    if (!slice.writes(i)) {
                        continue;
                    }
                    switch (series.get(i)) {
                        case ClassicHistogramView classic -> writeHistogramMetric(wire, labels, classic, startField);
                        case NativeHistogramView nativeCell ->
                                writeNativeHistogramMetric(wire, labels, nativeEncoder, nativeCell, startField);
                        case ScalarView scalar -> throw new IllegalStateException("a plain sample in histogram family "
                                + family.name() + ": " + scalar.labels());
                    }
                }
                buffer.sizePrefix = wire.size();
                return;
            }
            if (slice.startsFamily()) {
                buffer.sizePrefix = familySize;
                writeHeader(wire, name, help, type, headerSize);
            }
            buffer.endsFamily = slice.to() == series.size();
            // reading the labels first brings them into the cache faster (see FamilySlice.labelBytes)
            for (int block = slice.from(); block < slice.to(); block = slice.blockEnd(block)) {
                int blockEnd = slice.blockEnd(block);
                wire.reserve((int) Math.min(Integer.MAX_VALUE / 2,
                        slice.labelBytes(block, blockEnd, startField != 0) + (blockEnd - block) * 40L));
                renderScalars(wire, labels, series, slice, block, blockEnd);
            }
        }

        private void renderScalars(ProtoWriter wire, LabelEncoder labels, List<SeriesView> series, FamilySlice slice,
                                   int from, int to) throws IOException {
            for (int i = from; i < to; i++) {
                if (!slice.writes(i)) {
                    continue;
                }
                ScalarView cell = (ScalarView) series.get(i);
                long startMillis = startField == 0 ? SeriesView.NO_START : cell.startMillis();
                int startSize = startField == 0 ? 0 : StartField.size(startField, startMillis);
                int valueSize = ProtoWriter.DOUBLE_FIELD_BYTES + startSize;
                int size = labels.size(cell.labels()) + valueFieldSize(startSize);
                wire.reserve(ProtoWriter.MAX_TAG_BYTES + WireFormat.MAX_VARINT_BYTES + size);
                wire.tag(FAMILY_METRIC, LENGTH_DELIMITED).varint(size);
                labels.write(wire, cell.labels());
                wire.tag(valueField, LENGTH_DELIMITED).varint(valueSize).doubleField(SCALAR_VALUE, cell.value());
                if (startSize > 0) {
                    StartField.write(wire, startField, startMillis);
                }
            }
        }
    }

    /** A slice as rendered: the family's size when the slice starts a family, then the encoded bytes. */
    private static final class ProtobufSlice {
        // about what a text slice starts with: protobuf is no larger than text
        private static final int INITIAL_CAPACITY = 256 * 1024;
        final ProtoWriter wire = new ProtoWriter(INITIAL_CAPACITY);
        /** the varint written ahead of the bytes, or -1 for none */
        long sizePrefix = -1;
        /** the scalar family the slice is of, which counts what is written of it; {@code null} for a histogram */
        FamilyPlan plan;
        /** whether the slice is its family's last */
        boolean endsFamily;
        private final byte[] prefix = new byte[WireFormat.MAX_VARINT_BYTES];

        void writeTo(OutputStream out) throws IOException {
            if (plan != null) {
                plan.written(wire.size(), endsFamily);
            }
            if (sizePrefix >= 0) {
                out.write(prefix, 0, WireFormat.writeVarint(prefix, 0, sizePrefix));
            }
            out.write(wire.buffer(), 0, wire.size());
        }
    }

    private static final SliceBuffers<ProtobufSlice> SLICE_BUFFERS = new SliceBuffers<>() {
        @Override
        public ProtobufSlice create() {
            return new ProtobufSlice();
        }

        @Override
        public void clear(ProtobufSlice buffer) {
            buffer.wire.reset();
            buffer.sizePrefix = -1;
            buffer.plan = null;
            buffer.endsFamily = false;
        }

        @Override
        public void writeTo(ProtobufSlice buffer, OutputStream out) throws IOException {
            buffer.writeTo(out);
        }
    };

    private static void writeHeader(ProtoWriter wire, byte[] name, byte[] help, int type, int headerSize) throws IOException {
        wire.reserve(headerSize);
        wire.bytesField(FAMILY_NAME, name, 0, name.length);
        if (help.length > 0) {
            wire.bytesField(FAMILY_HELP, help, 0, help.length);
        }
        wire.varintField(FAMILY_TYPE, type);
    }

    private static void writeHistogramMetric(ProtoWriter wire, LabelEncoder labels, ClassicHistogramView cell,
                                             int startField) throws IOException {
        HistogramValues h = cell.read();
        int metric = beginMetric(wire, labels, cell.labels());
        int histogram = wire.beginLengthDelimited(Metric.HISTOGRAM_FIELD_NUMBER);
        writeClassicFields(wire, h.count(), isIntegral(h.count()), h.sum(), h.bounds(), h.cumulative());
        writeHistogramStart(wire, startField, cell);
        wire.endLengthDelimited(histogram);
        wire.endLengthDelimited(metric);
    }

    private static void writeNativeHistogramMetric(ProtoWriter wire, LabelEncoder labels, NativeHistogramEncoder encoder,
                                                   NativeHistogramView cell, int startField) throws IOException {
        int metric = beginMetric(wire, labels, cell.labels());
        int histogram = wire.beginLengthDelimited(Metric.HISTOGRAM_FIELD_NUMBER);
        encoder.encode(wire, cell.read());
        writeHistogramStart(wire, startField, cell);
        wire.endLengthDelimited(histogram);
        wire.endLengthDelimited(metric);
    }

    /** {@code created_timestamp} (15) after the fields up to 14, as protobuf-java orders them; none for field 0. */
    private static void writeHistogramStart(ProtoWriter wire, int startField, SeriesView cell) throws IOException {
        if (startField != 0) {
            long startMillis = cell.startMillis();
            int size = StartField.size(startField, startMillis);
            if (size > 0) {
                wire.reserve(size);
                StartField.write(wire, startField, startMillis);
            }
        }
    }

    /**
     * A {@code created_timestamp} field (a {@code google.protobuf.Timestamp}) as protobuf-java writes it,
     * zero fields left out; nothing for {@link SeriesView#NO_START}. Written in place: a million series
     * have as many starts as pushes, not one.
     */
    private static final class StartField {
        private StartField() {
        }

        /** Bytes of the field for a start, 0 for {@link SeriesView#NO_START}. */
        static int size(int fieldNumber, long startMillis) {
            return startMillis == SeriesView.NO_START ? 0 : ProtoWriter.lengthDelimitedFieldSize(fieldNumber, contentSize(startMillis));
        }

        private static int contentSize(long startMillis) {
            long seconds = Math.floorDiv(startMillis, 1000);
            int nanos = nanos(startMillis);
            return (seconds != 0 ? ProtoWriter.tagSize(TIMESTAMP_SECONDS) + WireFormat.varintSize(seconds) : 0)
                    + (nanos != 0 ? ProtoWriter.tagSize(TIMESTAMP_NANOS) + WireFormat.varintSize(nanos) : 0);
        }

        private static int nanos(long startMillis) {
            return (int) Math.floorMod(startMillis, 1000) * 1_000_000;
        }

        /** Writes the field of a start other than {@link SeriesView#NO_START}; the caller has reserved {@link #size}. */
        static void write(ProtoWriter wire, int fieldNumber, long startMillis) {
            long seconds = Math.floorDiv(startMillis, 1000);
            int nanos = nanos(startMillis);
            wire.tag(fieldNumber, LENGTH_DELIMITED).varint(contentSize(startMillis));
            if (seconds != 0) {
                wire.varintField(TIMESTAMP_SECONDS, seconds);
            }
            if (nanos != 0) {
                wire.varintField(TIMESTAMP_NANOS, nanos);
            }
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
        private final EscapedLabelNames escapedNames;
        private final NameEscaping escaping;
        private ProtoWriter target;
        private int size;

        /** @param escaping how label names outside the legacy set are escaped, {@code null}: as they are */
        LabelEncoder(NameEscaping escaping) {
            this.escaping = escaping;
            this.escapedNames = escaping == null ? null : new EscapedLabelNames();
        }

        /**
         * The encoded size of the labels. Unescaped, it is known from the size of {@link Labels}' own
         * encoding, which spells lengths as protobuf does: a {@code LabelPair} field adds a tag and a
         * length to the pair, and the pair a tag to each of name and value, one byte each while every
         * length is under 128 bytes. Only longer label sets are read label by label.
         */
        int size(Labels labels) {
            int encoded = labels.encodedSize();
            if (escaping == null && encoded <= Labels.SHORT_LABEL_PAIRS) {
                return encoded + 4 * labels.size();
            }
            target = null;
            size = 0;
            labels.forEachRaw(this);
            return size;
        }

        /** Writes the labels; the caller has reserved room for them. Short sets unescaped go in one loop. */
        void write(ProtoWriter wire, Labels labels) {
            if (escaping == null && labels.encodedSize() <= Labels.SHORT_LABEL_PAIRS) {
                labels.writeShortLabelPairs(wire, Metric.LABEL_FIELD_NUMBER, LabelPair.NAME_FIELD_NUMBER,
                        LabelPair.VALUE_FIELD_NUMBER);
                return;
            }
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
