package io.aggregationgateway.server.ingest;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Exemplar;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.Summary;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;
import io.aggregationgateway.server.protowire.ProtoReader;
import io.aggregationgateway.server.protowire.WireFormat;
import io.aggregationgateway.server.protowire.WireFormatException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.aggregationgateway.server.protowire.WireFormat.FIXED64;
import static io.aggregationgateway.server.protowire.WireFormat.LENGTH_DELIMITED;
import static io.aggregationgateway.server.protowire.WireFormat.VARINT;

/**
 * The fast path of {@link ProtobufDecoder}: reads one {@code MetricFamily} message from the wire
 * straight into the model, without protobuf-java's object tree (which cost about half of decoding a
 * large push: builders, a {@code LabelPair} object per label, copies of every string).
 *
 * <p>It also reads the gRPC API's {@code PushRequest} (grouping labels and {@code MetricFamily}
 * messages), with the same rule: all of it or nothing.
 *
 * <p>It reads what protobuf-java reads, the way it reads it: every metric type, classic and native
 * histograms, fields in any order, unknown fields (skipped), exemplars and timestamps (checked and
 * dropped), packed and unpacked repeated numbers, and a singular field sent twice (the last value
 * wins; a message sent twice merges). It <em>gives up</em> and returns {@code null} on what the
 * thorough path would reject: malformed bytes, a metric without the value its family's type needs,
 * a label name twice, strings that are not UTF-8, an unknown metric type, native-histogram spans
 * that do not fit their buckets, and more labels than {@code maxLabelsPerSeries} (counted before
 * any sorting, so a message with 100,000 labels costs no more than reading them). The caller then
 * decodes the message the thorough way, which words the rejection. Only two valid, rare inputs are
 * also given up: groups (a deprecated encoding no Prometheus client writes) and a grouping label
 * sent twice in a {@code PushRequest}. So both paths give every message the same result, and only
 * one of them words errors; a differential test holds them to that.
 *
 * <p>Not thread-safe: one instance per decoding call (it reuses its label builder and buffers).
 */
final class MetricFamilyWireReader {
    /** Control flow only: thrown to abandon the fast path, caught in {@link #read}. */
    private static final class GiveUp extends Exception {
        private static final long serialVersionUID = 1L;

        GiveUp() {
            super(null, null, false, false);
        }
    }

    /**
     * One shared instance: without a stack trace, suppression or settable cause it holds no state,
     * and a reader per push would otherwise make an exception per push.
     */
    private static final GiveUp GIVE_UP = new GiveUp();
    private final int maxLabelsPerSeries;
    private final ProtoReader in = new ProtoReader();
    private final Labels.Builder labels;
    private final Labels.Builder groupingLabels = new Labels.Builder();
    private final Labels grouping;
    /** whether a metric read so far kept its labels as pushed, without the grouping labels: see {@link #builtEveryMetricWithGrouping} */
    private boolean keptAsPushed;
    private final boolean dropEmptyBuckets;
    /** Start and end of each {@code metric} field of the family being read. */
    private int[] metricRanges = new int[64];

    // The value of the metric being read. Its family's type says which of the three it is; the
    // value messages of other types that a metric may carry are checked and ignored, as the
    // thorough path ignores them. The histogram's buffers are made for the first histogram.
    private final ScalarValue scalar = new ScalarValue();
    private final SummaryValue summary = new SummaryValue();
    private HistogramFields histogram;

    /** @param maxLabelsPerSeries most labels with a value one metric may carry (grouping labels not counted) */
    MetricFamilyWireReader(int maxLabelsPerSeries) {
        this(maxLabelsPerSeries, Labels.EMPTY);
    }

    /**
     * @param grouping added to each metric's labels as they are built, unless the metric has a label
     *                 of a grouping label's name (see {@link ProtobufDecoder#decodeDelimited(byte[], int, int, Labels)})
     */
    MetricFamilyWireReader(int maxLabelsPerSeries, Labels grouping) {
        this(maxLabelsPerSeries, grouping, false);
    }

    /** @param dropEmptyBuckets see {@link ProtobufDecoder#ProtobufDecoder(int, boolean)} */
    MetricFamilyWireReader(int maxLabelsPerSeries, Labels grouping, boolean dropEmptyBuckets) {
        this.maxLabelsPerSeries = maxLabelsPerSeries;
        this.grouping = grouping;
        this.labels = new Labels.Builder(grouping);
        this.dropEmptyBuckets = dropEmptyBuckets;
    }

    /**
     * Whether every metric this reader has read so far got its labels with the grouping labels
     * added: none carried a label of a grouping label's name. (A family given up may have set it
     * false: then it errs on the safe side.)
     */
    boolean builtEveryMetricWithGrouping() {
        return !keptAsPushed;
    }

    /**
     * The family in {@code buf[offset, offset + length)}, or {@code null} when this reader gives the
     * message up to the thorough decoder.
     */
    MetricFamily read(byte[] buf, int offset, int length) {
        in.start(buf, offset);
        try {
            return family(offset, offset + length);
        } catch (GiveUp | WireFormatException e) {
            labels.clear();
            return null;
        } finally {
            in.release();
        }
    }

    /**
     * The {@code aggregationgateway.v1.PushRequest} in {@code buf[offset, offset + length)}, or
     * {@code null} when this reader gives any part of it up.
     */
    Push readPushRequest(byte[] buf, int offset, int length) {
        in.start(buf, offset);
        try {
            return pushRequest(offset + length);
        } catch (GiveUp | WireFormatException e) {
            labels.clear();
            groupingLabels.clear();
            return null;
        } finally {
            in.release();
        }
    }

    private Push pushRequest(int to) throws GiveUp, WireFormatException {
        List<MetricFamily> families = new ArrayList<>();
        groupingLabels.clear();
        boolean replace = false;
        while (in.position() < to) {
            int tag = in.readTag(to);
            switch (tag) {
                case PushRequest.REPLACE_FIELD_NUMBER << 3 | VARINT -> replace = in.readVarint64(to) != 0;
                // a map<string, string> entry (key 1, value 2) has the wire shape of a LabelPair
                case PushRequest.GROUPING_LABELS_FIELD_NUMBER << 3 | LENGTH_DELIMITED ->
                        labelPair(in.readLengthDelimited(to), groupingLabels);
                case PushRequest.FAMILIES_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> {
                    int end = in.readLengthDelimited(to);
                    families.add(family(in.position(), end));
                    in.seek(end);
                }
                default -> in.skipField(tag, to);
            }
        }
        try {
            return new Push(groupingLabels.build(), families, replace);
        } catch (IllegalArgumentException e) { // a key twice: protobuf's map keeps the last one
            throw GIVE_UP;
        }
    }

    private MetricFamily family(int from, int to) throws GiveUp, WireFormatException {
        // Fields may come in any order and the type decides how a metric is read, so the first pass
        // finds the scalars and the metrics' ranges, the second reads the metrics.
        int nameFrom = from;
        int nameTo = from;
        int helpFrom = from;
        int helpTo = from;
        io.aggregationgateway.proto.metrics.MetricType protoType = null; // unset reads as COUNTER
        boolean unknownType = false;
        int metrics = 0;
        in.seek(from);
        while (in.position() < to) {
            int tag = in.readTag(to);
            switch (tag) {
                case io.aggregationgateway.proto.metrics.MetricFamily.NAME_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> {
                    nameTo = in.readLengthDelimited(to);
                    nameFrom = in.position();
                    in.seek(nameTo);
                }
                case io.aggregationgateway.proto.metrics.MetricFamily.HELP_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> {
                    helpTo = in.readLengthDelimited(to);
                    helpFrom = in.position();
                    in.seek(helpTo);
                }
                case io.aggregationgateway.proto.metrics.MetricFamily.TYPE_FIELD_NUMBER << 3 | VARINT -> {
                    // a closed enum: protobuf keeps the last known number, and keeps unknown ones apart
                    var known = io.aggregationgateway.proto.metrics.MetricType.forNumber(in.readVarint32(to));
                    if (known != null) {
                        protoType = known;
                    } else {
                        unknownType = true;
                    }
                }
                case io.aggregationgateway.proto.metrics.MetricFamily.METRIC_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> {
                    int end = in.readLengthDelimited(to);
                    if (metrics * 2 + 2 > metricRanges.length) {
                        metricRanges = Arrays.copyOf(metricRanges, metricRanges.length * 2);
                    }
                    metricRanges[metrics * 2] = in.position();
                    metricRanges[metrics * 2 + 1] = end;
                    metrics++;
                    in.seek(end);
                }
                default -> {
                    // the type with another wire type is an unknown field numbered 3 too
                    unknownType |= WireFormat.fieldNumber(tag)
                            == io.aggregationgateway.proto.metrics.MetricFamily.TYPE_FIELD_NUMBER;
                    in.skipField(tag, to); // unit among them: not used by the gateway
                }
            }
        }
        if (protoType == null && unknownType) {
            throw GIVE_UP; // no known type, but an unknown one: a rejection
        }
        String name = utf8(nameFrom, nameTo);
        String help = utf8(helpFrom, helpTo);
        MetricType type = protoType == null ? MetricType.COUNTER : ProtobufDecoder.modelType(protoType);
        List<Series> series = new ArrayList<>(metrics);
        for (int m = 0; m < metrics; m++) {
            series.add(metric(metricRanges[m * 2], metricRanges[m * 2 + 1], type));
        }
        return new MetricFamily(name, type, help, series);
    }

    /** The {@code Metric} field that carries a value of {@code type}. */
    private static int valueField(MetricType type) {
        return switch (type) {
            case COUNTER -> Metric.COUNTER_FIELD_NUMBER;
            case GAUGE -> Metric.GAUGE_FIELD_NUMBER;
            case UNTYPED -> Metric.UNTYPED_FIELD_NUMBER;
            case SUMMARY -> Metric.SUMMARY_FIELD_NUMBER;
            case HISTOGRAM, GAUGE_HISTOGRAM -> Metric.HISTOGRAM_FIELD_NUMBER;
        };
    }

    private Series metric(int from, int to, MetricType type) throws GiveUp, WireFormatException {
        int valueTag = valueField(type) << 3 | LENGTH_DELIMITED;
        boolean hasValue = false;
        switch (type) {
            case COUNTER, GAUGE, UNTYPED -> scalar.clear();
            case SUMMARY -> summary.clear();
            case HISTOGRAM, GAUGE_HISTOGRAM -> {
                if (histogram == null) {
                    histogram = new HistogramFields(dropEmptyBuckets);
                }
                histogram.clear();
            }
        }
        labels.clear();
        int labelsWithValue = 0;
        in.seek(from);
        while (in.position() < to) {
            int tag = in.readTag(to);
            if (tag == valueTag) {
                readValue(type, in.readLengthDelimited(to));
                hasValue = true;
            } else {
                switch (tag) {
                    case Metric.LABEL_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> {
                        if (labelPair(in.readLengthDelimited(to), labels) && ++labelsWithValue > maxLabelsPerSeries) {
                            throw GIVE_UP; // the thorough path words the limit, without sorting these
                        }
                    }
                    // another type's value: checked as protobuf parses it, then ignored
                    case Metric.COUNTER_FIELD_NUMBER << 3 | LENGTH_DELIMITED ->
                            scalar(in.readLengthDelimited(to), true, new ScalarValue());
                    case Metric.GAUGE_FIELD_NUMBER << 3 | LENGTH_DELIMITED, Metric.UNTYPED_FIELD_NUMBER << 3 | LENGTH_DELIMITED ->
                            scalar(in.readLengthDelimited(to), false, new ScalarValue());
                    case Metric.SUMMARY_FIELD_NUMBER << 3 | LENGTH_DELIMITED ->
                            summary(in.readLengthDelimited(to), new SummaryValue());
                    case Metric.HISTOGRAM_FIELD_NUMBER << 3 | LENGTH_DELIMITED ->
                            histogram(in.readLengthDelimited(to), new HistogramFields(false));
                    default -> in.skipField(tag, to); // timestamp_ms among them: pushes carry no timestamps the gateway keeps
                }
            }
        }
        if (!hasValue) {
            throw GIVE_UP; // "counter family but the metric has no counter", ...
        }
        Labels built;
        try {
            built = labels.buildWith(grouping);
            if (built == null) {
                built = labels.build(); // the engine lets the grouping label win
                keptAsPushed = true;
            }
        } catch (IllegalArgumentException e) { // a label name twice
            throw GIVE_UP;
        }
        return switch (type) {
            case COUNTER, GAUGE, UNTYPED -> {
                if (!scalar.set) {
                    throw GIVE_UP; // "... has no counter value"
                }
                yield new ScalarSample(built, scalar.value);
            }
            case SUMMARY -> new SummarySample(built, ProtobufDecoder.unsignedToDouble(summary.count), summary.sum);
            case HISTOGRAM, GAUGE_HISTOGRAM -> {
                try {
                    yield histogram.toSeries(built);
                } catch (NativeHistogramDecoding.InvalidNativeHistogram e) {
                    throw GIVE_UP;
                }
            }
        };
    }

    /** The metric's own value message, merged into what earlier occurrences of it set. */
    private void readValue(MetricType type, int end) throws WireFormatException {
        switch (type) {
            case COUNTER -> scalar(end, true, scalar);
            case GAUGE, UNTYPED -> scalar(end, false, scalar);
            case SUMMARY -> summary(end, summary);
            case HISTOGRAM, GAUGE_HISTOGRAM -> histogram(end, histogram);
        }
    }

    /**
     * A {@code LabelPair} (name 1, value 2), both UTF-8, added to {@code into}; returns whether the
     * value is not empty (an empty one is no label).
     */
    private boolean labelPair(int to, Labels.Builder into) throws GiveUp, WireFormatException {
        int nameFrom = to;
        int nameTo = to;
        int valueFrom = to;
        int valueTo = to;
        while (in.position() < to) {
            int tag = in.readTag(to);
            switch (tag) {
                case LabelPair.NAME_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> {
                    nameTo = in.readLengthDelimited(to);
                    nameFrom = in.position();
                    in.seek(nameTo);
                }
                case LabelPair.VALUE_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> {
                    valueTo = in.readLengthDelimited(to);
                    valueFrom = in.position();
                    in.seek(valueTo);
                }
                default -> in.skipField(tag, to);
            }
        }
        requireUtf8(nameFrom, nameTo);
        requireUtf8(valueFrom, valueTo);
        byte[] buf = in.buffer();
        into.addRaw(buf, nameFrom, nameTo - nameFrom, buf, valueFrom, valueTo - valueFrom);
        return valueTo > valueFrom;
    }

    /** A {@code Counter} ({@code counter}) or a {@code Gauge} or {@code Untyped}: all three number their value 1. */
    private void scalar(int to, boolean counter, ScalarValue into) throws WireFormatException {
        while (in.position() < to) {
            int tag = in.readTag(to);
            if (tag == (Counter.VALUE_FIELD_NUMBER << 3 | FIXED64)) {
                into.value = in.readDouble(to);
                into.set = true;
            } else if (counter && tag == (Counter.EXEMPLAR_FIELD_NUMBER << 3 | LENGTH_DELIMITED)) {
                exemplar(in.readLengthDelimited(to));
            } else if (counter && tag == (Counter.CREATED_TIMESTAMP_FIELD_NUMBER << 3 | LENGTH_DELIMITED)) {
                in.skipMessage(in.readLengthDelimited(to)); // a Timestamp: two varints
            } else {
                in.skipField(tag, to);
            }
        }
    }

    private void summary(int to, SummaryValue into) throws WireFormatException {
        while (in.position() < to) {
            int tag = in.readTag(to);
            switch (tag) {
                case Summary.SAMPLE_COUNT_FIELD_NUMBER << 3 | VARINT -> into.count = in.readVarint64(to);
                case Summary.SAMPLE_SUM_FIELD_NUMBER << 3 | FIXED64 -> into.sum = in.readDouble(to);
                // a Quantile (two doubles: quantiles cannot be added up) or a Timestamp (two varints)
                case Summary.QUANTILE_FIELD_NUMBER << 3 | LENGTH_DELIMITED,
                     Summary.CREATED_TIMESTAMP_FIELD_NUMBER << 3 | LENGTH_DELIMITED ->
                        in.skipMessage(in.readLengthDelimited(to));
                default -> in.skipField(tag, to);
            }
        }
    }

    /** A {@code Histogram}, classic or native (or both), for {@link HistogramFields#toSeries} to read. */
    private void histogram(int to, HistogramFields into) throws WireFormatException {
        while (in.position() < to) {
            int tag = in.readTag(to);
            switch (tag) {
                case Histogram.SAMPLE_COUNT_FIELD_NUMBER << 3 | VARINT -> into.sampleCount = in.readVarint64(to);
                case Histogram.SAMPLE_COUNT_FLOAT_FIELD_NUMBER << 3 | FIXED64 -> into.sampleCountFloat = in.readDouble(to);
                case Histogram.SAMPLE_SUM_FIELD_NUMBER << 3 | FIXED64 -> into.sampleSum = in.readDouble(to);
                case Histogram.BUCKET_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> bucket(in.readLengthDelimited(to), into);
                case Histogram.SCHEMA_FIELD_NUMBER << 3 | VARINT -> into.schema = WireFormat.decodeZigZag32(in.readVarint32(to));
                case Histogram.ZERO_THRESHOLD_FIELD_NUMBER << 3 | FIXED64 -> into.zeroThreshold = in.readDouble(to);
                case Histogram.ZERO_COUNT_FIELD_NUMBER << 3 | VARINT -> into.zeroCount = in.readVarint64(to);
                case Histogram.ZERO_COUNT_FLOAT_FIELD_NUMBER << 3 | FIXED64 -> into.zeroCountFloat = in.readDouble(to);
                case Histogram.NEGATIVE_SPAN_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> spans(in.readLengthDelimited(to), to, tag, into.negative);
                case Histogram.POSITIVE_SPAN_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> spans(in.readLengthDelimited(to), to, tag, into.positive);
                // repeated numbers come one per field, or packed into one length-delimited field
                case Histogram.NEGATIVE_DELTA_FIELD_NUMBER << 3 | VARINT -> deltas(to, into.negative, tag);
                case Histogram.NEGATIVE_DELTA_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> packedDeltas(in.readLengthDelimited(to), into.negative);
                case Histogram.POSITIVE_DELTA_FIELD_NUMBER << 3 | VARINT -> deltas(to, into.positive, tag);
                case Histogram.POSITIVE_DELTA_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> packedDeltas(in.readLengthDelimited(to), into.positive);
                case Histogram.NEGATIVE_COUNT_FIELD_NUMBER << 3 | FIXED64 -> into.negative.addCount(in.readDouble(to));
                case Histogram.NEGATIVE_COUNT_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> packedCounts(in.readLengthDelimited(to), into.negative);
                case Histogram.POSITIVE_COUNT_FIELD_NUMBER << 3 | FIXED64 -> into.positive.addCount(in.readDouble(to));
                case Histogram.POSITIVE_COUNT_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> packedCounts(in.readLengthDelimited(to), into.positive);
                case Histogram.CREATED_TIMESTAMP_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> in.skipMessage(in.readLengthDelimited(to));
                case Histogram.EXEMPLARS_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> exemplar(in.readLengthDelimited(to));
                default -> in.skipField(tag, to);
            }
        }
    }

    private void bucket(int to, HistogramFields into) throws WireFormatException {
        long count = 0;
        double countFloat = 0;
        double bound = 0;
        while (in.position() < to) {
            int tag = in.readTag(to);
            switch (tag) {
                case Bucket.CUMULATIVE_COUNT_FIELD_NUMBER << 3 | VARINT -> count = in.readVarint64(to);
                case Bucket.UPPER_BOUND_FIELD_NUMBER << 3 | FIXED64 -> bound = in.readDouble(to);
                case Bucket.CUMULATIVE_COUNT_FLOAT_FIELD_NUMBER << 3 | FIXED64 -> countFloat = in.readDouble(to);
                case Bucket.EXEMPLAR_FIELD_NUMBER << 3 | LENGTH_DELIMITED -> exemplar(in.readLengthDelimited(to));
                default -> in.skipField(tag, to);
            }
        }
        into.addBucket(bound, count, countFloat);
    }

    /**
     * A span field ending at {@code to} (its tag {@code spanTag} and length read), and every next
     * one before {@code histogramEnd} that is the usual span (see {@link #span}) in a field of the
     * same tag: client_java sends some 30 in a row, each otherwise a turn of the histogram's field loop.
     */
    private void spans(int to, int histogramEnd, int spanTag, HistogramFields.Side into) throws WireFormatException {
        span(to, into);
        byte[] buf = in.buffer();
        int p = in.position();
        while (histogramEnd - p >= 6 && buf[p] == spanTag && buf[p + 1] == 4
                && buf[p + 2] == (BucketSpan.OFFSET_FIELD_NUMBER << 3 | VARINT) && buf[p + 3] >= 0
                && buf[p + 4] == (BucketSpan.LENGTH_FIELD_NUMBER << 3 | VARINT) && buf[p + 5] >= 0) {
            into.addSpan(WireFormat.decodeZigZag32(buf[p + 3]), buf[p + 5]);
            p += 6;
        }
        in.seek(p);
    }

    private void span(int to, HistogramFields.Side into) throws WireFormatException {
        byte[] buf = in.buffer();
        int p = in.position();
        // the usual span: both fields, in order, one byte each (an offset within ±63, a length under 128)
        if (to - p == 4 && buf[p] == (BucketSpan.OFFSET_FIELD_NUMBER << 3 | VARINT) && buf[p + 1] >= 0
                && buf[p + 2] == (BucketSpan.LENGTH_FIELD_NUMBER << 3 | VARINT) && buf[p + 3] >= 0) {
            into.addSpan(WireFormat.decodeZigZag32(buf[p + 1]), buf[p + 3]);
            in.seek(to);
            return;
        }
        int offset = 0;
        int length = 0;
        while (in.position() < to) {
            int tag = in.readTag(to);
            switch (tag) {
                case BucketSpan.OFFSET_FIELD_NUMBER << 3 | VARINT -> offset = WireFormat.decodeZigZag32(in.readVarint32(to));
                case BucketSpan.LENGTH_FIELD_NUMBER << 3 | VARINT -> length = in.readVarint32(to);
                default -> in.skipField(tag, to);
            }
        }
        into.addSpan(offset, length);
    }

    private void packedDeltas(int to, HistogramFields.Side into) throws WireFormatException {
        if (in.position() < to) {
            deltas(to, into, -1);
        }
    }

    /**
     * Deltas up to {@code to} ({@code repeatTag} -1: a packed field's contents, at least one), or
     * one delta sent as a field of its own (its one-byte tag already read) and every next one as
     * long as the next field is {@code repeatTag} again: client_java sends them so, hundreds in a
     * row. Deltas between neighbouring buckets mostly take one byte.
     */
    private void deltas(int to, HistogramFields.Side into, int repeatTag) throws WireFormatException {
        if (dropEmptyBuckets && into.deltas == 0 && into.spans > 0) {
            deltasIntoBuckets(to, into, repeatTag);
        } else {
            readDeltas(to, into, repeatTag, in.position(), into.deltas);
        }
    }

    /** {@link #deltas} from {@code p}, the side's first {@code n} deltas read. */
    private void readDeltas(int to, HistogramFields.Side into, int repeatTag, int p, int n) throws WireFormatException {
        byte[] buf = in.buffer();
        long[] deltas = into.deltaValues;
        do {
            if (n == deltas.length) {
                deltas = into.growDeltas();
            }
            if (p < to && buf[p] >= 0) {
                deltas[n++] = WireFormat.decodeZigZag(buf[p++]);
            } else {
                in.seek(p);
                deltas[n++] = WireFormat.decodeZigZag(in.readVarint64(to));
                p = in.position();
            }
            if (repeatTag >= 0) {
                if (p >= to || buf[p] != repeatTag) {
                    break;
                }
                p++; // the next delta's tag: its value must follow
            }
        } while (repeatTag >= 0 || p < to);
        into.deltas = n;
        in.seek(p);
    }

    /**
     * {@link #deltas} for a side's first run of deltas when its spans came first (every client sends
     * them so): span by span, each delta is also summed into its bucket's count and written with the
     * bucket's index into the side's scratch arrays, empty buckets left out, as
     * {@link NativeHistogramDecoding} writes them, which then only copies them out
     * ({@link HistogramFields.Side#streamed}). This saves a second pass over the buckets. The first
     * bucket that decoding would refuse or write another way (an index out of range, spans that
     * overlap, a negative count, an overflow, more deltas than the spans cover) ends the summing; the
     * rest of the run is read as {@link #readDeltas} reads it, for the general decoding to deal with.
     */
    private void deltasIntoBuckets(int to, HistogramFields.Side into, int repeatTag) throws WireFormatException {
        byte[] buf = in.buffer();
        int p = in.position();
        int spans = into.spans;
        int[] spanOffsets = into.spanOffsets;
        int[] spanLengths = into.spanLengths;
        long covered = 0;
        for (int s = 0; s < spans; s++) {
            covered += Integer.toUnsignedLong(spanLengths[s]);
        }
        // no more buckets than the spans cover, nor than bytes are left (a delta takes one at least)
        int size = (int) Math.min(covered, to - p + 1L);
        long[] deltas = into.deltaValues;
        if (deltas.length < size) {
            deltas = into.growDeltas(size);
        }
        int[] indices = into.indexScratch(size);
        double[] counts = into.countScratch(size);
        int n = 0; // deltas read (into.deltas is 0), and buckets written
        int kept = 0;
        long running = 0;
        double total = 0; // the counts' sum, added up in their order as the engine's check adds them
        long index = 0; // where the next span starts, less its offset
        long previous = Long.MIN_VALUE; // the last bucket of the spans so far
        for (int s = 0; s < spans; s++) {
            index += spanOffsets[s];
            long length = Integer.toUnsignedLong(spanLengths[s]);
            if (length == 0) {
                continue;
            }
            if (index <= previous || index < -NativeBuckets.MAX_ABS_INDEX || index + length - 1 > NativeBuckets.MAX_ABS_INDEX
                    || n + length > size) {
                readDeltas(to, into, repeatTag, p, n); // ... for the general decoding to refuse
                return;
            }
            previous = index + length - 1;
            int at = (int) index;
            int end = n + (int) length;
            index += length;
            while (n < end) {
                long delta;
                if (p < to && buf[p] >= 0) {
                    delta = WireFormat.decodeZigZag(buf[p++]);
                } else {
                    in.seek(p);
                    delta = WireFormat.decodeZigZag(in.readVarint64(to));
                    p = in.position();
                }
                deltas[n++] = delta;
                long sum = running + delta;
                if (((running ^ sum) & (delta ^ sum)) < 0 || sum < 0) { // Math.addExact's test, or a negative count
                    finishDeltas(to, into, repeatTag, p, n);
                    return;
                }
                running = sum;
                double count = sum;
                indices[kept] = at++;
                counts[kept] = count;
                kept += sum != 0 ? 1 : 0;
                total += count;
                if (repeatTag >= 0) {
                    if (p >= to || buf[p] != repeatTag) {
                        into.deltas = n;
                        in.seek(p);
                        into.streamed(kept, total); // fewer deltas than the spans cover: decoding words it
                        return;
                    }
                    p++; // the next delta's tag: its value must follow
                } else if (p >= to) {
                    into.deltas = n;
                    in.seek(p);
                    into.streamed(kept, total);
                    return;
                }
            }
        }
        // more deltas than the spans cover
        readDeltas(to, into, repeatTag, p, n);
    }

    /** After a delta at {@code p}: the rest of the run, if it goes on, as {@link #readDeltas} reads it. */
    private void finishDeltas(int to, HistogramFields.Side into, int repeatTag, int p, int n) throws WireFormatException {
        byte[] buf = in.buffer();
        if (repeatTag >= 0 ? p < to && buf[p] == repeatTag : p < to) {
            readDeltas(to, into, repeatTag, repeatTag >= 0 ? p + 1 : p, n);
        } else {
            into.deltas = n;
            in.seek(p);
        }
    }

    private void packedCounts(int to, HistogramFields.Side into) throws WireFormatException {
        while (in.position() < to) {
            into.addCount(in.readDouble(to));
        }
    }

    /** An {@code Exemplar}, checked and dropped: the gateway keeps no exemplars. */
    private void exemplar(int to) throws WireFormatException {
        while (in.position() < to) {
            int tag = in.readTag(to);
            if (tag == (Exemplar.LABEL_FIELD_NUMBER << 3 | LENGTH_DELIMITED)
                    || tag == (Exemplar.TIMESTAMP_FIELD_NUMBER << 3 | LENGTH_DELIMITED)) {
                in.skipMessage(in.readLengthDelimited(to)); // a LabelPair or a Timestamp
            } else {
                in.skipField(tag, to);
            }
        }
    }

    private String utf8(int from, int to) throws GiveUp {
        requireUtf8(from, to);
        return new String(in.buffer(), from, to - from, StandardCharsets.UTF_8);
    }

    private void requireUtf8(int from, int to) throws GiveUp {
        byte[] buf = in.buffer();
        for (int i = from; i < to; i++) {
            if (buf[i] < 0) { // not ASCII: check the rest properly
                if (!Utf8Validator.isValid(buf, i, to)) {
                    throw GIVE_UP;
                }
                return;
            }
        }
    }

    /** A {@code Counter}'s, {@code Gauge}'s or {@code Untyped}'s value. */
    private static final class ScalarValue {
        double value;
        boolean set;

        void clear() {
            value = 0;
            set = false;
        }
    }

    /** A {@code Summary}'s count and sum; its quantiles cannot be added up. */
    private static final class SummaryValue {
        long count;
        double sum;

        void clear() {
            count = 0;
            sum = 0;
        }
    }
}
