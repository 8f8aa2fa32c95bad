package io.aggregationgateway.server.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import com.google.protobuf.UnknownFieldSet;
import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.Summary;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.server.model.DecodedFamilies;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;
import io.aggregationgateway.server.model.TextFormatting;
import io.aggregationgateway.server.protowire.ProtoReader;
import io.aggregationgateway.server.protowire.WireFormat;
import io.aggregationgateway.server.protowire.WireFormatException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes the Prometheus protobuf push format ({@code application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily; encoding=delimited}) into the model.
 *
 * <p>Messages are read by {@link MetricFamilyWireReader} straight from the bytes; the messages it
 * gives up (those it rejects, and two rare encodings it does not read) are parsed with protobuf-java
 * and converted, which words every rejection.
 *
 * <p>The decoder only converts; names, values, histogram shape and duplicate series are checked by
 * the engine afterwards. It rejects what it cannot convert: bytes that are not a sequence of
 * length-delimited {@code MetricFamily} messages, metrics that lack the value their family's type
 * needs, duplicate label names, strings that are not UTF-8, unknown metric types, and native
 * histograms whose spans do not match their deltas or counts (see {@link NativeHistogramDecoding}).
 * It also refuses a metric with more labels than {@code maxLabelsPerSeries} (the engine's limit,
 * which counts grouping labels too, is checked again later) before it sorts them, so a message of
 * 100,000 labels is refused for the cost of reading it. Rejections name at most
 * {@value #DESCRIBED_LABELS} of a series' labels.
 *
 * <p>Error messages locate the problem as {@code message #N at byte B}: {@code N} counts the
 * messages of the body from 1, {@code B} is the 0-based offset of the message's length prefix from
 * the start of the body. {@link #convert} has no bytes and says only {@code message #N}, counting
 * the list's elements from 1.
 *
 * <p>Stateless and thread-safe; each call uses its own scratch buffers.
 */
public final class ProtobufDecoder {
    private static final Parser<io.aggregationgateway.proto.metrics.MetricFamily> PARSER =
            io.aggregationgateway.proto.metrics.MetricFamily.parser();
    private static final int TYPE_FIELD_NUMBER = io.aggregationgateway.proto.metrics.MetricFamily.TYPE_FIELD_NUMBER;
    /** How many of a series' labels a rejection message names; the rest are counted. */
    static final int DESCRIBED_LABELS = 10;

    private final int maxLabelsPerSeries;
    private final boolean dropEmptyBuckets;

    /** A decoder that leaves the label limit to the engine and gives native buckets as sent. */
    public ProtobufDecoder() {
        this(Integer.MAX_VALUE);
    }

    /**
     * A decoder that gives native buckets as sent.
     *
     * @param maxLabelsPerSeries most labels with a value one pushed metric may carry ({@code --max-labels-per-series})
     */
    public ProtobufDecoder(int maxLabelsPerSeries) {
        this(maxLabelsPerSeries, false);
    }

    /**
     * @param maxLabelsPerSeries most labels with a value one pushed metric may carry ({@code --max-labels-per-series})
     * @param dropEmptyBuckets   leave out the native buckets that hold nothing wherever the engine would
     *                           drop them without a word (a side whose buckets all pass the engine's checks);
     *                           the engine then accepts or refuses the push exactly as it would the
     *                           buckets as sent, and keeps the same histogram, without copying it first
     */
    public ProtobufDecoder(int maxLabelsPerSeries, boolean dropEmptyBuckets) {
        this.maxLabelsPerSeries = maxLabelsPerSeries;
        this.dropEmptyBuckets = dropEmptyBuckets;
    }

    /**
     * Decodes a body of varint-length-delimited {@code MetricFamily} messages. An empty body gives
     * no families. Families are returned in message order, one per message (two messages for the
     * same name give two families).
     *
     * @throws PushRejectedException {@link RejectionReason#MALFORMED} for undecodable bytes or
     *                               unconvertible metrics, {@link RejectionReason#INVALID_HISTOGRAM}
     *                               for native histograms whose spans do not fit their buckets
     */
    public List<MetricFamily> decodeDelimited(byte[] body, int offset, int length) throws PushRejectedException {
        return decodeDelimited(body, offset, length, Labels.EMPTY);
    }

    /**
     * Decodes a body pushed to the group {@code grouping}: as {@link #decodeDelimited(byte[], int, int)},
     * but each metric's labels are built with the grouping labels added, which saves the engine a
     * second copy of every label set; a metric that has a label of a grouping label's name keeps its
     * labels as pushed, for the engine to let the grouping label win. Messages name series as pushed.
     */
    public List<MetricFamily> decodeDelimited(byte[] body, int offset, int length, Labels grouping)
            throws PushRejectedException {
        return decode(body, offset, length, grouping).families();
    }

    /**
     * As {@link #decodeDelimited(byte[], int, int, Labels)}, saying whether every series' labels hold
     * {@code grouping}: so they do unless a metric carried a label of a grouping label's name, and
     * then the engine need not look for the grouping labels in every series again.
     */
    public DecodedFamilies decode(byte[] body, int offset, int length, Labels grouping) throws PushRejectedException {
        Objects.checkFromIndexSize(offset, length, body.length);
        List<MetricFamily> families = new ArrayList<>();
        Converter converter = new Converter(maxLabelsPerSeries, grouping, dropEmptyBuckets);
        MetricFamilyWireReader fastPath = new MetricFamilyWireReader(maxLabelsPerSeries, grouping, dropEmptyBuckets);
        ProtoReader prefixes = new ProtoReader();
        prefixes.start(body, offset);
        int end = offset + length;
        int pos = offset;
        int index = 0;
        while (pos < end) {
            index++;
            int start = pos;
            long size;
            try {
                size = prefixes.readVarint64(end);
            } catch (WireFormatException e) { // no last byte within the body, or none within 10 bytes
                if (end - start <= WireFormat.MAX_VARINT_BYTES) {
                    throw malformed(index, start - offset, "truncated length prefix (body ends after "
                            + (end - start) + " of its bytes)");
                }
                throw malformed(index, start - offset, "malformed length prefix (varint longer than "
                        + WireFormat.MAX_VARINT_BYTES + " bytes)");
            }
            pos = prefixes.position();
            int remaining = end - pos;
            if (size < 0 || size > remaining) {
                throw malformed(index, start - offset, "length prefix " + Long.toUnsignedString(size)
                        + " but only " + remaining + " bytes remain");
            }
            int messageLength = (int) size;
            MetricFamily fast = fastPath.read(body, pos, messageLength);
            families.add(fast != null ? fast : parseAndConvert(converter, body, pos, messageLength, index, start - offset));
            pos += messageLength;
            prefixes.seek(pos);
        }
        boolean everyOneWithGrouping = fastPath.builtEveryMetricWithGrouping() && converter.builtEveryMetricWithGrouping();
        return everyOneWithGrouping ? new DecodedFamilies(families, grouping) : DecodedFamilies.asPushed(families);
    }

    private static MetricFamily parseAndConvert(Converter converter, byte[] body, int pos, int messageLength,
                                                int index, int byteOffset) throws PushRejectedException {
        io.aggregationgateway.proto.metrics.MetricFamily family;
        try {
            CodedInputStream in = CodedInputStream.newInstance(body, pos, messageLength);
            // Strings and bytes become views of body instead of copies; they live only while
            // this call converts them (labels are copied into the model's own arrays).
            in.enableAliasing(true);
            family = PARSER.parseFrom(in);
            in.checkLastTagWas(0); // an end-group tag would have stopped the parse early
        } catch (InvalidProtocolBufferException e) {
            throw malformed(index, byteOffset, "invalid protobuf: " + e.getMessage());
        }
        return converter.family(family, index, byteOffset);
    }

    /**
     * Decodes the gRPC API's {@code aggregationgateway.v1.PushRequest} message: its grouping
     * labels and families. Family errors say {@code message #N}, counting the request's families
     * from 1, as {@link #convert} does.
     *
     * @throws PushRejectedException {@link RejectionReason#MALFORMED} when the bytes are not a
     *                               {@code PushRequest}, else as {@link #convert}
     */
    public Push decodePushRequest(byte[] message) throws PushRejectedException {
        Push fast = new MetricFamilyWireReader(maxLabelsPerSeries, Labels.EMPTY, dropEmptyBuckets).readPushRequest(message, 0, message.length);
        if (fast != null) {
            return fast;
        }
        PushRequest request;
        try {
            request = PushRequest.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            throw new PushRejectedException(RejectionReason.MALFORMED,
                    "request message is not a valid PushRequest: " + e.getMessage());
        }
        Labels.Builder grouping = new Labels.Builder();
        request.getGroupingLabelsMap().forEach(grouping::add);
        return new Push(grouping.build(), convert(request.getFamiliesList()), request.getReplace());
    }

    /**
     * Converts already-parsed messages (used by the gRPC service), with the same rules as
     * {@link #decodeDelimited}.
     */
    public List<MetricFamily> convert(List<io.aggregationgateway.proto.metrics.MetricFamily> families)
            throws PushRejectedException {
        List<MetricFamily> result = new ArrayList<>(families.size());
        Converter converter = new Converter(maxLabelsPerSeries, Labels.EMPTY, dropEmptyBuckets);
        for (int i = 0; i < families.size(); i++) {
            result.add(converter.family(families.get(i), i + 1, -1));
        }
        return result;
    }

    /** Per-call state: one reusable label builder, a byte buffer to hand it label bytes, histogram fields. */
    private static final class Converter {
        private final int maxLabelsPerSeries;
        private final Labels grouping;
        private final Labels.Builder labels;
        private boolean keptAsPushed; // as in MetricFamilyWireReader
        private HistogramFields histogramFields; // made for the first histogram
        private final boolean dropEmptyBuckets;
        private byte[] scratch = new byte[128];

        Converter(int maxLabelsPerSeries, Labels grouping, boolean dropEmptyBuckets) {
            this.maxLabelsPerSeries = maxLabelsPerSeries;
            this.grouping = grouping;
            this.labels = new Labels.Builder(grouping);
            this.dropEmptyBuckets = dropEmptyBuckets;
        }

        /** Whether every metric converted so far got its labels with the grouping labels added. */
        boolean builtEveryMetricWithGrouping() {
            return !keptAsPushed;
        }

        MetricFamily family(io.aggregationgateway.proto.metrics.MetricFamily proto, int index, int byteOffset)
                throws PushRejectedException {
            ByteString nameBytes = proto.getNameBytes();
            if (!nameBytes.isValidUtf8()) {
                throw malformed(index, byteOffset, "family name is not valid UTF-8");
            }
            String name = proto.getName();
            if (!proto.getHelpBytes().isValidUtf8()) {
                throw malformed(index, byteOffset, "family " + name + ": help is not valid UTF-8");
            }
            MetricType type = type(proto, name, index, byteOffset);
            int count = proto.getMetricCount();
            List<Series> series = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                series.add(series(proto.getMetric(i), type, name, index, byteOffset));
            }
            return new MetricFamily(name, type, proto.getHelp(), series);
        }

        private static MetricType type(io.aggregationgateway.proto.metrics.MetricFamily proto, String name,
                                       int index, int byteOffset) throws PushRejectedException {
            if (!proto.hasType()) {
                // proto2 closed enum: a number this schema does not know lands in the unknown fields
                UnknownFieldSet unknown = proto.getUnknownFields();
                if (unknown.hasField(TYPE_FIELD_NUMBER)) {
                    List<Long> values = unknown.getField(TYPE_FIELD_NUMBER).getVarintList();
                    String number = values.isEmpty() ? "?" : String.valueOf(values.get(values.size() - 1).intValue());
                    throw malformed(index, byteOffset, "family " + name + ": unknown metric type " + number);
                }
                // unset: COUNTER, the proto default, as client_model and Prometheus read it
            }
            return modelType(proto.getType());
        }

        private Series series(Metric metric, MetricType type, String family, int index, int byteOffset)
                throws PushRejectedException {
            Labels labels = labels(metric, family, index, byteOffset);
            switch (type) {
                case COUNTER -> {
                    if (!metric.hasCounter() || !metric.getCounter().hasValue()) {
                        throw missing(metric, "counter family but the metric has no counter value", family, index, byteOffset);
                    }
                    return new ScalarSample(labels, metric.getCounter().getValue());
                }
                case GAUGE -> {
                    if (!metric.hasGauge() || !metric.getGauge().hasValue()) {
                        throw missing(metric, "gauge family but the metric has no gauge value", family, index, byteOffset);
                    }
                    return new ScalarSample(labels, metric.getGauge().getValue());
                }
                case UNTYPED -> {
                    if (!metric.hasUntyped() || !metric.getUntyped().hasValue()) {
                        throw missing(metric, "untyped family but the metric has no untyped value", family, index, byteOffset);
                    }
                    return new ScalarSample(labels, metric.getUntyped().getValue());
                }
                case SUMMARY -> {
                    if (!metric.hasSummary()) {
                        throw missing(metric, "summary family but the metric has no summary", family, index, byteOffset);
                    }
                    Summary s = metric.getSummary();
                    return new SummarySample(labels, unsignedToDouble(s.getSampleCount()), s.getSampleSum());
                }
                case HISTOGRAM, GAUGE_HISTOGRAM -> {
                    if (!metric.hasHistogram()) {
                        throw missing(metric, type.textName() + " family but the metric has no histogram",
                                family, index, byteOffset);
                    }
                    return histogram(metric, labels, family, index, byteOffset);
                }
            }
            throw new AssertionError(type);
        }

        private Series histogram(Metric metric, Labels labels, String family, int index, int byteOffset)
                throws PushRejectedException {
            Histogram h = metric.getHistogram();
            if (histogramFields == null) {
                histogramFields = new HistogramFields(dropEmptyBuckets);
            }
            HistogramFields fields = histogramFields;
            fields.clear();
            fields.sampleCount = h.getSampleCount();
            fields.sampleCountFloat = h.getSampleCountFloat();
            fields.sampleSum = h.getSampleSum();
            for (Bucket b : h.getBucketList()) {
                fields.addBucket(b.getUpperBound(), b.getCumulativeCount(), b.getCumulativeCountFloat());
            }
            fields.schema = h.getSchema();
            fields.zeroThreshold = h.getZeroThreshold();
            fields.zeroCount = h.getZeroCount();
            fields.zeroCountFloat = h.getZeroCountFloat();
            side(fields.positive, h.getPositiveSpanList(), h.getPositiveDeltaList(), h.getPositiveCountList());
            side(fields.negative, h.getNegativeSpanList(), h.getNegativeDeltaList(), h.getNegativeCountList());
            try {
                return fields.toSeries(labels);
            } catch (NativeHistogramDecoding.InvalidNativeHistogram e) {
                throw new PushRejectedException(RejectionReason.INVALID_HISTOGRAM, where(index, byteOffset)
                        + ": family " + family + ", series " + describeLabels(metric) + ": native histogram: "
                        + e.getMessage());
            }
        }

        private static void side(HistogramFields.Side side, List<BucketSpan> spans, List<Long> deltas, List<Double> counts) {
            for (BucketSpan span : spans) {
                side.addSpan(span.getOffset(), span.getLength());
            }
            for (long delta : deltas) {
                side.addDelta(delta);
            }
            for (double count : counts) {
                side.addCount(count);
            }
        }

        private Labels labels(Metric metric, String family, int index, int byteOffset) throws PushRejectedException {
            int n = metric.getLabelCount();
            if (n == 0) {
                return grouping;
            }
            int withValue = 0;
            for (int i = 0; i < n; i++) {
                if (!metric.getLabel(i).getValueBytes().isEmpty()) {
                    withValue++;
                }
            }
            if (withValue > maxLabelsPerSeries) { // before any sorting: one count, however many labels came
                throw new PushRejectedException(RejectionReason.LABEL_LIMIT_EXCEEDED, where(index, byteOffset)
                        + ": family " + family + ", series " + describeLabels(metric) + ": " + withValue
                        + " labels, more than the limit of " + maxLabelsPerSeries + " (--max-labels-per-series)");
            }
            labels.clear();
            for (int i = 0; i < n; i++) {
                LabelPair pair = metric.getLabel(i);
                ByteString name = pair.getNameBytes();
                ByteString value = pair.getValueBytes();
                if (!name.isValidUtf8()) {
                    labels.clear();
                    throw malformed(index, byteOffset, "family " + family + ", series " + describeLabels(metric)
                            + ": label name " + quote(name) + " is not valid UTF-8");
                }
                if (!value.isValidUtf8()) {
                    labels.clear();
                    throw malformed(index, byteOffset, "family " + family + ", series " + describeLabels(metric)
                            + ": value of label " + name.toStringUtf8() + " is not valid UTF-8");
                }
                int nameLength = name.size();
                int valueLength = value.size();
                if (nameLength + valueLength > scratch.length) {
                    scratch = new byte[Math.max(scratch.length * 2, nameLength + valueLength)];
                }
                name.copyTo(scratch, 0);
                value.copyTo(scratch, nameLength);
                labels.addRaw(scratch, 0, nameLength, nameLength, valueLength);
            }
            try {
                Labels built = labels.buildWith(grouping);
                if (built != null) {
                    return built;
                }
                keptAsPushed = true;
                return labels.build(); // the engine lets the grouping label win
            } catch (IllegalArgumentException e) { // a label name twice; the builder was cleared
                throw malformed(index, byteOffset, "family " + family + ", series " + describeLabels(metric)
                        + ": duplicate label: " + e.getMessage());
            }
        }

        private static PushRejectedException missing(Metric metric, String what, String family, int index,
                                                     int byteOffset) {
            return malformed(index, byteOffset, "family " + family + ", series " + describeLabels(metric) + ": " + what);
        }
    }

    /**
     * The metric's labels as pushed (in message order, duplicates and empty values kept), for
     * messages: the first {@value #DESCRIBED_LABELS}, then how many more there are.
     */
    private static String describeLabels(Metric metric) {
        StringBuilder out = new StringBuilder("{");
        int described = Math.min(metric.getLabelCount(), DESCRIBED_LABELS);
        for (int i = 0; i < described; i++) {
            LabelPair pair = metric.getLabel(i);
            if (i > 0) {
                out.append(',');
            }
            out.append(pair.getNameBytes().toStringUtf8()).append('=').append(quote(pair.getValueBytes()));
        }
        if (metric.getLabelCount() > described) {
            out.append(",… ").append(metric.getLabelCount() - described).append(" more");
        }
        return out.append('}').toString();
    }

    /**
     * {@code "..."} as {@link TextFormatting#quote} writes it (escaped, cut); invalid UTF-8 shows
     * as U+FFFD. Decodes no more than the quote can show.
     */
    private static String quote(ByteString bytes) {
        int shown = Math.min(bytes.size(), 4 * (TextFormatting.MAX_QUOTED_CHARS + 1));
        return TextFormatting.quote(bytes.substring(0, shown).toStringUtf8());
    }

    /** The model's name for a protobuf metric type. */
    static MetricType modelType(io.aggregationgateway.proto.metrics.MetricType type) {
        return switch (type) {
            case COUNTER -> MetricType.COUNTER;
            case GAUGE -> MetricType.GAUGE;
            case SUMMARY -> MetricType.SUMMARY;
            case UNTYPED -> MetricType.UNTYPED;
            case HISTOGRAM -> MetricType.HISTOGRAM;
            case GAUGE_HISTOGRAM -> MetricType.GAUGE_HISTOGRAM;
        };
    }

    /** A uint64 read into a Java long, as the nearest double. */
    static double unsignedToDouble(long value) {
        if (value >= 0) {
            return value;
        }
        // halve (keeping the lost bit as a sticky bit so rounding stays correct), convert, double
        return ((double) ((value >>> 1) | (value & 1))) * 2.0;
    }

    private static String where(int index, int byteOffset) {
        return byteOffset >= 0 ? "message #" + index + " at byte " + byteOffset : "message #" + index;
    }

    private static PushRejectedException malformed(int index, int byteOffset, String what) {
        return new PushRejectedException(RejectionReason.MALFORMED, where(index, byteOffset) + ": " + what);
    }
}
