package io.aggregationgateway.server.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import com.google.protobuf.UnknownFieldSet;
import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.Summary;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes the Prometheus protobuf push format ({@code application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily; encoding=delimited}) into the model.
 *
 * <p>Most messages are read by {@link MetricFamilyWireReader} straight from the bytes; the messages it
 * gives up (native histograms, exemplars, anything unusual or invalid) are parsed with protobuf-java
 * and converted, which also words every rejection.
 *
 * <p>The decoder only converts; names, values, histogram shape and duplicate series are checked by
 * the engine afterwards. It rejects what it cannot convert: bytes that are not a sequence of
 * length-delimited {@code MetricFamily} messages, metrics that lack the value their family's type
 * needs, duplicate label names, strings that are not UTF-8, unknown metric types, and native
 * histograms whose spans do not match their deltas or counts (see {@link NativeHistogramDecoding}).
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
    private static final int MAX_VARINT_BYTES = 10;

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
        Objects.checkFromIndexSize(offset, length, body.length);
        List<MetricFamily> families = new ArrayList<>();
        Converter converter = new Converter();
        MetricFamilyWireReader fastPath = new MetricFamilyWireReader();
        int end = offset + length;
        int pos = offset;
        int index = 0;
        while (pos < end) {
            index++;
            int start = pos;
            long size = 0;
            int shift = 0;
            while (true) {
                if (pos == end) {
                    throw malformed(index, start - offset, "truncated length prefix (body ends after "
                            + (pos - start) + " of its bytes)");
                }
                if (pos - start == MAX_VARINT_BYTES) {
                    throw malformed(index, start - offset, "malformed length prefix (varint longer than "
                            + MAX_VARINT_BYTES + " bytes)");
                }
                byte b = body[pos++];
                size |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    break;
                }
                shift += 7;
            }
            int remaining = end - pos;
            if (size < 0 || size > remaining) {
                throw malformed(index, start - offset, "length prefix " + Long.toUnsignedString(size)
                        + " but only " + remaining + " bytes remain");
            }
            int messageLength = (int) size;
            MetricFamily fast = fastPath.read(body, pos, messageLength);
            families.add(fast != null ? fast : parseAndConvert(converter, body, pos, messageLength, index, start - offset));
            pos += messageLength;
        }
        return families;
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
        Push fast = new MetricFamilyWireReader().readPushRequest(message, 0, message.length);
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
        Converter converter = new Converter();
        for (int i = 0; i < families.size(); i++) {
            result.add(converter.family(families.get(i), i + 1, -1));
        }
        return result;
    }

    /** Per-call state: one reusable label builder and a byte buffer to hand it label bytes. */
    private static final class Converter {
        private final Labels.Builder labels = new Labels.Builder();
        private byte[] scratch = new byte[128];

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
            return switch (proto.getType()) {
                case COUNTER -> MetricType.COUNTER;
                case GAUGE -> MetricType.GAUGE;
                case SUMMARY -> MetricType.SUMMARY;
                case UNTYPED -> MetricType.UNTYPED;
                case HISTOGRAM -> MetricType.HISTOGRAM;
                case GAUGE_HISTOGRAM -> MetricType.GAUGE_HISTOGRAM;
            };
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

        private static Series histogram(Metric metric, Labels labels, String family, int index,
                                        int byteOffset) throws PushRejectedException {
            Histogram h = metric.getHistogram();
            int n = h.getBucketCount();
            double[] bounds = new double[n];
            double[] counts = new double[n];
            for (int i = 0; i < n; i++) {
                Bucket b = h.getBucket(i);
                bounds[i] = b.getUpperBound();
                double countFloat = b.getCumulativeCountFloat();
                counts[i] = countFloat > 0 ? countFloat : unsignedToDouble(b.getCumulativeCount());
            }
            double countFloat = h.getSampleCountFloat();
            double count = countFloat > 0 ? countFloat : unsignedToDouble(h.getSampleCount());
            ClassicHistogram classic = new ClassicHistogram(labels, bounds, counts, count, h.getSampleSum());
            if (!NativeHistogramDecoding.isNative(h)) {
                return classic;
            }
            try {
                return NativeHistogramDecoding.decode(h, labels, n > 0 ? classic : null);
            } catch (NativeHistogramDecoding.InvalidNativeHistogram e) {
                throw new PushRejectedException(RejectionReason.INVALID_HISTOGRAM, where(index, byteOffset)
                        + ": family " + family + ", series " + describeLabels(metric) + ": native histogram: "
                        + e.getMessage());
            }
        }

        private Labels labels(Metric metric, String family, int index, int byteOffset) throws PushRejectedException {
            int n = metric.getLabelCount();
            if (n == 0) {
                return Labels.EMPTY;
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
                return labels.build();
            } catch (IllegalArgumentException e) { // a label name twice; build() has cleared the builder
                throw malformed(index, byteOffset, "family " + family + ", series " + describeLabels(metric)
                        + ": duplicate label: " + e.getMessage());
            }
        }

        private static PushRejectedException missing(Metric metric, String what, String family, int index,
                                                     int byteOffset) {
            return malformed(index, byteOffset, "family " + family + ", series " + describeLabels(metric) + ": " + what);
        }
    }

    /** The metric's labels as pushed (in message order, duplicates and empty values kept), for messages. */
    private static String describeLabels(Metric metric) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < metric.getLabelCount(); i++) {
            LabelPair pair = metric.getLabel(i);
            if (i > 0) {
                out.append(',');
            }
            out.append(pair.getNameBytes().toStringUtf8()).append('=').append(quote(pair.getValueBytes()));
        }
        return out.append('}').toString();
    }

    /** {@code "..."} escaped as in the text format; invalid UTF-8 shows as U+FFFD. */
    private static String quote(ByteString bytes) {
        String s = bytes.toStringUtf8();
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
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
