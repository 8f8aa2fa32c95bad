package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fast path of {@link ProtobufDecoder}: reads one {@code MetricFamily} message from the wire
 * straight into the model, without protobuf-java's object tree (which cost about half of decoding a
 * large push: builders, a {@code LabelPair} object per label, copies of every string).
 *
 * <p>It also reads the gRPC API's {@code PushRequest} (grouping labels and {@code MetricFamily}
 * messages), with the same rule: all of it or nothing.
 *
 * <p>It reads what senders push in bulk: counters, gauges, untyped, summaries and classic
 * histograms, with created timestamps, in any field order. On anything else it <em>gives up</em>
 * and returns {@code null}: native-histogram fields, exemplars, unknown fields, a singular field
 * sent twice (protobuf would merge or overwrite), non-canonical encodings, and everything
 * {@code ProtobufDecoder} would reject. The caller then decodes the message the thorough way,
 * which also words any rejection. So both paths accept exactly the same messages with the same
 * result, and only one of them has to know protobuf's corner cases; a differential test holds them
 * to that.
 *
 * <p>Not thread-safe: one instance per decoding call (it reuses its label builder and buffers).
 */
final class MetricFamilyWireReader {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    /** Largest metric type number client_model defines (GAUGE_HISTOGRAM). */
    private static final int LAST_METRIC_TYPE = 5;

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
    private final Labels.Builder labels = new Labels.Builder();
    private final Labels.Builder groupingLabels = new Labels.Builder();
    private byte[] buf;
    private int pos;
    /** Start and end of each {@code metric} field of the family being read. */
    private int[] metricRanges = new int[64];
    private double[] bucketBounds = new double[16];
    private double[] bucketCounts = new double[16];

    // the value parts of the metric being read; which one is used depends on the family's type
    private boolean hasCounter;
    private boolean hasGauge;
    private boolean hasUntyped;
    private boolean hasSummary;
    private boolean hasHistogram;
    private boolean scalarValueSet;
    private double scalarValue;
    private double counterValue;
    private double gaugeValue;
    private double untypedValue;
    private boolean counterValueSet;
    private boolean gaugeValueSet;
    private boolean untypedValueSet;
    private long summaryCount;
    private double summarySum;
    private long histogramCount;
    private double histogramCountFloat;
    private double histogramSum;
    private int bucketCount;

    /**
     * The family in {@code buf[offset, offset + length)}, or {@code null} when this reader gives the
     * message up to the thorough decoder.
     */
    MetricFamily read(byte[] buf, int offset, int length) {
        this.buf = buf;
        try {
            return family(offset, offset + length);
        } catch (GiveUp e) {
            labels.clear();
            return null;
        } finally {
            this.buf = null;
        }
    }

    /**
     * The {@code aggregationgateway.v1.PushRequest} in {@code buf[offset, offset + length)}, or
     * {@code null} when this reader gives any part of it up.
     */
    Push readPushRequest(byte[] buf, int offset, int length) {
        this.buf = buf;
        try {
            return pushRequest(offset, offset + length);
        } catch (GiveUp e) {
            labels.clear();
            groupingLabels.clear();
            return null;
        } finally {
            this.buf = null;
        }
    }

    private Push pushRequest(int from, int to) throws GiveUp {
        List<MetricFamily> families = new ArrayList<>();
        groupingLabels.clear();
        boolean replace = false;
        pos = from;
        while (pos < to) {
            int tag = tag();
            if (tag == (3 << 3 | VARINT)) {
                replace = varint(to) != 0;
            } else if (tag == (1 << 3 | LENGTH_DELIMITED)) {
                // a map<string, string> entry (key 1, value 2) has the wire shape of a LabelPair
                labelPair(lengthDelimitedEnd(to), groupingLabels);
            } else if (tag == (2 << 3 | LENGTH_DELIMITED)) {
                int end = lengthDelimitedEnd(to);
                families.add(family(pos, end));
                pos = end;
            } else {
                throw GIVE_UP;
            }
        }
        try {
            return new Push(groupingLabels.build(), families, replace);
        } catch (IllegalArgumentException e) { // a key twice: protobuf's map keeps the last one
            throw GIVE_UP;
        }
    }

    private MetricFamily family(int from, int to) throws GiveUp {
        // Fields may come in any order and the type decides how a metric is read, so the first pass
        // finds the scalars and the metrics' ranges, the second reads the metrics.
        int nameFrom = from;
        int nameTo = from;
        int helpFrom = from;
        int helpTo = from;
        int typeNumber = 0; // unset reads as COUNTER, as in client_model and Prometheus
        int seen = 0;
        int metrics = 0;
        pos = from;
        while (pos < to) {
            int tag = tag();
            switch (tag) {
                case 1 << 3 | LENGTH_DELIMITED -> {
                    seen = once(seen, 1);
                    nameTo = lengthDelimitedEnd(to);
                    nameFrom = pos;
                    pos = nameTo;
                }
                case 2 << 3 | LENGTH_DELIMITED -> {
                    seen = once(seen, 2);
                    helpTo = lengthDelimitedEnd(to);
                    helpFrom = pos;
                    pos = helpTo;
                }
                case 3 << 3 | VARINT -> {
                    seen = once(seen, 3);
                    long number = varint(to);
                    if (number < 0 || number > LAST_METRIC_TYPE) {
                        throw GIVE_UP;
                    }
                    typeNumber = (int) number;
                }
                case 4 << 3 | LENGTH_DELIMITED -> {
                    int end = lengthDelimitedEnd(to);
                    if (metrics * 2 + 2 > metricRanges.length) {
                        metricRanges = Arrays.copyOf(metricRanges, metricRanges.length * 2);
                    }
                    metricRanges[metrics * 2] = pos;
                    metricRanges[metrics * 2 + 1] = end;
                    metrics++;
                    pos = end;
                }
                case 5 << 3 | LENGTH_DELIMITED -> { // unit: not used by the gateway
                    seen = once(seen, 5);
                    pos = lengthDelimitedEnd(to);
                }
                default -> throw GIVE_UP;
            }
        }
        String name = utf8(nameFrom, nameTo);
        String help = utf8(helpFrom, helpTo);
        MetricType type = switch (typeNumber) {
            case 0 -> MetricType.COUNTER;
            case 1 -> MetricType.GAUGE;
            case 2 -> MetricType.SUMMARY;
            case 3 -> MetricType.UNTYPED;
            case 4 -> MetricType.HISTOGRAM;
            default -> MetricType.GAUGE_HISTOGRAM;
        };
        List<Series> series = new ArrayList<>(metrics);
        for (int m = 0; m < metrics; m++) {
            series.add(metric(metricRanges[m * 2], metricRanges[m * 2 + 1], type));
        }
        return new MetricFamily(name, type, help, series);
    }

    private Series metric(int from, int to, MetricType type) throws GiveUp {
        hasCounter = hasGauge = hasUntyped = hasSummary = hasHistogram = false;
        labels.clear();
        int seen = 0;
        pos = from;
        while (pos < to) {
            int tag = tag();
            switch (tag) {
                case 1 << 3 | LENGTH_DELIMITED -> labelPair(lengthDelimitedEnd(to), labels);
                case 2 << 3 | LENGTH_DELIMITED -> {
                    seen = once(seen, 2);
                    hasGauge = true;
                    scalar(lengthDelimitedEnd(to));
                    gaugeValueSet = scalarValueSet;
                    gaugeValue = scalarValue;
                }
                case 3 << 3 | LENGTH_DELIMITED -> {
                    seen = once(seen, 3);
                    hasCounter = true;
                    scalar(lengthDelimitedEnd(to));
                    counterValueSet = scalarValueSet;
                    counterValue = scalarValue;
                }
                case 4 << 3 | LENGTH_DELIMITED -> {
                    seen = once(seen, 4);
                    hasSummary = true;
                    summary(lengthDelimitedEnd(to));
                }
                case 5 << 3 | LENGTH_DELIMITED -> {
                    seen = once(seen, 5);
                    hasUntyped = true;
                    scalar(lengthDelimitedEnd(to));
                    untypedValueSet = scalarValueSet;
                    untypedValue = scalarValue;
                }
                case 6 << 3 | VARINT -> { // timestamp_ms: pushes carry no timestamps the gateway keeps
                    seen = once(seen, 6);
                    varint(to);
                }
                case 7 << 3 | LENGTH_DELIMITED -> {
                    seen = once(seen, 7);
                    hasHistogram = true;
                    histogram(lengthDelimitedEnd(to));
                }
                default -> throw GIVE_UP;
            }
        }
        Labels built;
        try {
            built = labels.build();
        } catch (IllegalArgumentException e) { // a label name twice: the thorough decoder words it
            throw GIVE_UP;
        }
        return switch (type) {
            case COUNTER -> {
                require(hasCounter && counterValueSet);
                yield new ScalarSample(built, counterValue);
            }
            case GAUGE -> {
                require(hasGauge && gaugeValueSet);
                yield new ScalarSample(built, gaugeValue);
            }
            case UNTYPED -> {
                require(hasUntyped && untypedValueSet);
                yield new ScalarSample(built, untypedValue);
            }
            case SUMMARY -> {
                require(hasSummary);
                yield new SummarySample(built, ProtobufDecoder.unsignedToDouble(summaryCount), summarySum);
            }
            case HISTOGRAM, GAUGE_HISTOGRAM -> {
                require(hasHistogram);
                double count = histogramCountFloat > 0 ? histogramCountFloat
                        : ProtobufDecoder.unsignedToDouble(histogramCount);
                yield new ClassicHistogram(built, Arrays.copyOf(bucketBounds, bucketCount),
                        Arrays.copyOf(bucketCounts, bucketCount), count, histogramSum);
            }
        };
    }

    /** A {@code LabelPair} (name 1, value 2), both UTF-8, added to {@code into}. */
    private void labelPair(int to, Labels.Builder into) throws GiveUp {
        int nameFrom = pos;
        int nameTo = pos;
        int valueFrom = pos;
        int valueTo = pos;
        int seen = 0;
        while (pos < to) {
            int tag = tag();
            if (tag == (1 << 3 | LENGTH_DELIMITED)) {
                seen = once(seen, 1);
                nameTo = lengthDelimitedEnd(to);
                nameFrom = pos;
                pos = nameTo;
            } else if (tag == (2 << 3 | LENGTH_DELIMITED)) {
                seen = once(seen, 2);
                valueTo = lengthDelimitedEnd(to);
                valueFrom = pos;
                pos = valueTo;
            } else {
                throw GIVE_UP;
            }
        }
        requireUtf8(nameFrom, nameTo);
        requireUtf8(valueFrom, valueTo);
        into.addRaw(buf, nameFrom, nameTo - nameFrom, buf, valueFrom, valueTo - valueFrom);
    }

    /** A {@code Counter}, {@code Gauge} or {@code Untyped}: sets {@code scalarValue(Set)}. */
    private void scalar(int to) throws GiveUp {
        scalarValueSet = false;
        scalarValue = 0;
        int seen = 0;
        while (pos < to) {
            int tag = tag();
            switch (tag) {
                case 1 << 3 | FIXED64 -> {
                    seen = once(seen, 1);
                    scalarValue = fixed64(to);
                    scalarValueSet = true;
                }
                // created_timestamp (Counter only; in a Gauge or Untyped it is an unknown field,
                // which protobuf skips just as well)
                case 3 << 3 | LENGTH_DELIMITED -> {
                    seen = once(seen, 3);
                    twoScalarFields(lengthDelimitedEnd(to), VARINT); // a Timestamp
                }
                default -> throw GIVE_UP; // exemplars among them
            }
        }
    }

    private void summary(int to) throws GiveUp {
        summaryCount = 0;
        summarySum = 0;
        int seen = 0;
        while (pos < to) {
            int tag = tag();
            switch (tag) {
                case 1 << 3 | VARINT -> {
                    seen = once(seen, 1);
                    summaryCount = varint(to);
                }
                case 2 << 3 | FIXED64 -> {
                    seen = once(seen, 2);
                    summarySum = fixed64(to);
                }
                case 3 << 3 | LENGTH_DELIMITED -> twoScalarFields(lengthDelimitedEnd(to), FIXED64); // a Quantile
                case 4 << 3 | LENGTH_DELIMITED -> {
                    seen = once(seen, 4);
                    twoScalarFields(lengthDelimitedEnd(to), VARINT); // a Timestamp
                }
                default -> throw GIVE_UP;
            }
        }
    }

    private void histogram(int to) throws GiveUp {
        histogramCount = 0;
        histogramCountFloat = 0;
        histogramSum = 0;
        bucketCount = 0;
        int seen = 0;
        while (pos < to) {
            int tag = tag();
            switch (tag) {
                case 1 << 3 | VARINT -> {
                    seen = once(seen, 1);
                    histogramCount = varint(to);
                }
                case 2 << 3 | FIXED64 -> {
                    seen = once(seen, 2);
                    histogramSum = fixed64(to);
                }
                case 3 << 3 | LENGTH_DELIMITED -> bucket(lengthDelimitedEnd(to));
                case 4 << 3 | FIXED64 -> {
                    seen = once(seen, 4);
                    histogramCountFloat = fixed64(to);
                }
                // schema: alone it does not make a histogram native (the other native fields do,
                // and give up), so it is read and ignored as the thorough decoder ignores it
                case 5 << 3 | VARINT -> {
                    seen = once(seen, 5);
                    varint(to);
                }
                case 15 << 3 | LENGTH_DELIMITED -> {
                    seen = once(seen, 15);
                    twoScalarFields(lengthDelimitedEnd(to), VARINT); // a Timestamp
                }
                default -> throw GIVE_UP; // native-histogram fields and exemplars
            }
        }
    }

    private void bucket(int to) throws GiveUp {
        long count = 0;
        double countFloat = 0;
        double bound = 0;
        int seen = 0;
        while (pos < to) {
            int tag = tag();
            switch (tag) {
                case 1 << 3 | VARINT -> {
                    seen = once(seen, 1);
                    count = varint(to);
                }
                case 2 << 3 | FIXED64 -> {
                    seen = once(seen, 2);
                    bound = fixed64(to);
                }
                case 4 << 3 | FIXED64 -> {
                    seen = once(seen, 4);
                    countFloat = fixed64(to);
                }
                default -> throw GIVE_UP; // exemplars among them
            }
        }
        if (bucketCount == bucketBounds.length) {
            bucketBounds = Arrays.copyOf(bucketBounds, bucketCount * 2);
            bucketCounts = Arrays.copyOf(bucketCounts, bucketCount * 2);
        }
        bucketBounds[bucketCount] = bound;
        bucketCounts[bucketCount] = countFloat > 0 ? countFloat : ProtobufDecoder.unsignedToDouble(count);
        bucketCount++;
    }

    /**
     * A message of at most fields 1 and 2, both of {@code wireType}, checked and not kept: a
     * {@code Quantile} (two doubles: quantiles cannot be added up) or a
     * {@code google.protobuf.Timestamp} (seconds and nanos, varints).
     */
    private void twoScalarFields(int to, int wireType) throws GiveUp {
        int seen = 0;
        while (pos < to) {
            int tag = tag();
            if (tag == (1 << 3 | wireType)) {
                seen = once(seen, 1);
            } else if (tag == (2 << 3 | wireType)) {
                seen = once(seen, 2);
            } else {
                throw GIVE_UP;
            }
            if (wireType == FIXED64) {
                fixed64(to);
            } else {
                varint(to);
            }
        }
    }

    // --- wire primitives ------------------------------------------------------------------------

    /**
     * A tag of the fields read here is one byte (field numbers up to 15); anything longer is an
     * unknown field or a non-canonical encoding, both left to the thorough decoder.
     */
    private int tag() throws GiveUp {
        int b = buf[pos++];
        if (b <= 0) {
            throw GIVE_UP;
        }
        return b;
    }

    private long varint(int to) throws GiveUp {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos == to) {
                throw GIVE_UP;
            }
            byte b = buf[pos++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw GIVE_UP; // more than 10 bytes
    }

    /** Reads a length prefix and returns where the field's bytes end; {@code pos} is their start. */
    private int lengthDelimitedEnd(int to) throws GiveUp {
        if (pos < to && buf[pos] >= 0) { // under 128 bytes, the usual case: one byte
            int length = buf[pos++];
            if (length > to - pos) {
                throw GIVE_UP;
            }
            return pos + length;
        }
        long length = varint(to);
        if (length < 0 || length > to - pos) {
            throw GIVE_UP;
        }
        return pos + (int) length;
    }

    private double fixed64(int to) throws GiveUp {
        if (to - pos < 8) {
            throw GIVE_UP;
        }
        byte[] b = buf;
        int p = pos;
        long bits = (b[p] & 0xffL)
                | (b[p + 1] & 0xffL) << 8
                | (b[p + 2] & 0xffL) << 16
                | (b[p + 3] & 0xffL) << 24
                | (b[p + 4] & 0xffL) << 32
                | (b[p + 5] & 0xffL) << 40
                | (b[p + 6] & 0xffL) << 48
                | (b[p + 7] & 0xffL) << 56;
        pos = p + 8;
        return Double.longBitsToDouble(bits);
    }

    private String utf8(int from, int to) throws GiveUp {
        requireUtf8(from, to);
        return new String(buf, from, to - from, StandardCharsets.UTF_8);
    }

    private void requireUtf8(int from, int to) throws GiveUp {
        for (int i = from; i < to; i++) {
            if (buf[i] < 0) { // not ASCII: check the rest properly
                if (!Utf8Validator.isValid(buf, i, to)) {
                    throw GIVE_UP;
                }
                return;
            }
        }
    }

    /** Marks singular field {@code field} seen; a second occurrence gives up. */
    private int once(int seen, int field) throws GiveUp {
        int bit = 1 << field;
        if ((seen & bit) != 0) {
            throw GIVE_UP;
        }
        return seen | bit;
    }

    private void require(boolean condition) throws GiveUp {
        if (!condition) {
            throw GIVE_UP;
        }
    }
}
