package io.aggregationgateway.server.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Exemplar;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.Quantile;
import io.aggregationgateway.proto.metrics.Summary;
import io.aggregationgateway.proto.metrics.Untyped;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Conversions, table-driven, and rejections of what cannot be converted. */
class ProtobufDecoderTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    private final ProtobufDecoder decoder = new ProtobufDecoder();

    // ---------------------------------------------------------------- conversions

    static Stream<Arguments> conversions() {
        return Stream.of(
                arguments("counter",
                        family("requests_total", io.aggregationgateway.proto.metrics.MetricType.COUNTER, "Requests.",
                                metric(m -> m.setCounter(Counter.newBuilder().setValue(42.5)), "path", "/a", "code", "200"),
                                metric(m -> m.setCounter(Counter.newBuilder().setValue(0)))),
                        new MetricFamily("requests_total", MetricType.COUNTER, "Requests.", List.of(
                                new ScalarSample(Labels.of("code", "200", "path", "/a"), 42.5),
                                new ScalarSample(Labels.EMPTY, 0)))),
                arguments("counter with exemplar and created timestamp, both ignored",
                        family("c_total", io.aggregationgateway.proto.metrics.MetricType.COUNTER, "",
                                metric(m -> m.setTimestampMs(1234).setCounter(Counter.newBuilder().setValue(3)
                                        .setCreatedTimestamp(Timestamp.newBuilder().setSeconds(5))
                                        .setExemplar(Exemplar.newBuilder().setValue(1)
                                                .addLabel(label("trace_id", "abc")))))),
                        new MetricFamily("c_total", MetricType.COUNTER, "", List.of(
                                new ScalarSample(Labels.EMPTY, 3)))),
                arguments("type unset is COUNTER",
                        io.aggregationgateway.proto.metrics.MetricFamily.newBuilder().setName("n_total")
                                .addMetric(metric(m -> m.setCounter(Counter.newBuilder().setValue(1)))).build(),
                        new MetricFamily("n_total", MetricType.COUNTER, "", List.of(
                                new ScalarSample(Labels.EMPTY, 1)))),
                arguments("gauge with special values",
                        family("temp", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "Temperature.",
                                metric(m -> m.setGauge(Gauge.newBuilder().setValue(-1.5)), "room", "a"),
                                metric(m -> m.setGauge(Gauge.newBuilder().setValue(Double.NaN)), "room", "b"),
                                metric(m -> m.setGauge(Gauge.newBuilder().setValue(INF)), "room", "c")),
                        new MetricFamily("temp", MetricType.GAUGE, "Temperature.", List.of(
                                new ScalarSample(Labels.of("room", "a"), -1.5),
                                new ScalarSample(Labels.of("room", "b"), Double.NaN),
                                new ScalarSample(Labels.of("room", "c"), INF)))),
                arguments("untyped",
                        family("u", io.aggregationgateway.proto.metrics.MetricType.UNTYPED, "",
                                metric(m -> m.setUntyped(Untyped.newBuilder().setValue(7)), "x", "y")),
                        new MetricFamily("u", MetricType.UNTYPED, "", List.of(
                                new ScalarSample(Labels.of("x", "y"), 7)))),
                arguments("family without metrics",
                        family("empty", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "no series"),
                        new MetricFamily("empty", MetricType.GAUGE, "no series", List.of())),
                arguments("histogram with integer counts and +Inf",
                        family("latency_seconds", io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, "Latency.",
                                metric(m -> m.setHistogram(Histogram.newBuilder().setSampleCount(10).setSampleSum(3.5)
                                        .addBucket(bucket(0.1, 2)).addBucket(bucket(1, 7)).addBucket(bucket(INF, 10))), "job", "j")),
                        new MetricFamily("latency_seconds", MetricType.HISTOGRAM, "Latency.", List.of(
                                new ClassicHistogram(Labels.of("job", "j"), new double[]{0.1, 1, INF},
                                        new double[]{2, 7, 10}, 10.0, 3.5)))),
                arguments("histogram without +Inf bucket (client_golang omits it): bounds as sent",
                        family("h", io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, "",
                                metric(m -> m.setHistogram(Histogram.newBuilder().setSampleCount(5).setSampleSum(1)
                                        .addBucket(bucket(0.5, 1)).addBucket(bucket(2, 4))))),
                        new MetricFamily("h", MetricType.HISTOGRAM, "", List.of(
                                new ClassicHistogram(Labels.EMPTY, new double[]{0.5, 2}, new double[]{1, 4}, 5.0, 1.0)))),
                arguments("histogram with float counts",
                        family("hf", io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, "",
                                metric(m -> m.setHistogram(Histogram.newBuilder().setSampleCountFloat(2.5).setSampleSum(9)
                                        .addBucket(Bucket.newBuilder().setUpperBound(1).setCumulativeCountFloat(0.5))
                                        .addBucket(Bucket.newBuilder().setUpperBound(INF).setCumulativeCountFloat(2.5))))),
                        new MetricFamily("hf", MetricType.HISTOGRAM, "", List.of(
                                new ClassicHistogram(Labels.EMPTY, new double[]{1, INF}, new double[]{0.5, 2.5}, 2.5, 9.0)))),
                arguments("float counts of 0 fall back to the integer counts",
                        family("h0", io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, "",
                                metric(m -> m.setHistogram(Histogram.newBuilder().setSampleCount(4).setSampleCountFloat(0)
                                        .addBucket(Bucket.newBuilder().setUpperBound(1).setCumulativeCount(3).setCumulativeCountFloat(0))
                                        .addBucket(Bucket.newBuilder().setUpperBound(INF).setCumulativeCount(4))))),
                        new MetricFamily("h0", MetricType.HISTOGRAM, "", List.of(
                                new ClassicHistogram(Labels.EMPTY, new double[]{1, INF}, new double[]{3, 4}, 4.0, 0.0)))),
                arguments("unsorted bounds kept in message order (the engine rejects them)",
                        family("hu", io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, "",
                                metric(m -> m.setHistogram(Histogram.newBuilder().setSampleCount(3)
                                        .addBucket(bucket(5, 2)).addBucket(bucket(1, 1))))),
                        new MetricFamily("hu", MetricType.HISTOGRAM, "", List.of(
                                new ClassicHistogram(Labels.EMPTY, new double[]{5, 1}, new double[]{2, 1}, 3.0, 0.0)))),
                arguments("histogram without buckets, schema set but no native data",
                        family("hb", io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, "",
                                metric(m -> m.setHistogram(Histogram.newBuilder().setSampleCount(0).setSchema(3)
                                        .setCreatedTimestamp(Timestamp.newBuilder().setSeconds(1))))),
                        new MetricFamily("hb", MetricType.HISTOGRAM, "", List.of(
                                new ClassicHistogram(Labels.EMPTY, new double[0], new double[0], 0.0, 0.0)))),
                arguments("uint64 counts above Long.MAX_VALUE read unsigned",
                        family("hbig", io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, "",
                                metric(m -> m.setHistogram(Histogram.newBuilder().setSampleCount(-1L)
                                        .addBucket(Bucket.newBuilder().setUpperBound(INF).setCumulativeCount(Long.MIN_VALUE))))),
                        new MetricFamily("hbig", MetricType.HISTOGRAM, "", List.of(
                                new ClassicHistogram(Labels.EMPTY, new double[]{INF}, new double[]{0x1p63}, 0x1p64, 0.0)))),
                arguments("gauge histogram",
                        family("gh", io.aggregationgateway.proto.metrics.MetricType.GAUGE_HISTOGRAM, "Queue.",
                                metric(m -> m.setHistogram(Histogram.newBuilder().setSampleCount(3).setSampleSum(-2)
                                        .addBucket(bucket(0, 1)).addBucket(bucket(INF, 3))), "q", "x")),
                        new MetricFamily("gh", MetricType.GAUGE_HISTOGRAM, "Queue.", List.of(
                                new ClassicHistogram(Labels.of("q", "x"), new double[]{0, INF}, new double[]{1, 3}, 3.0, -2.0)))),
                arguments("summary: quantiles ignored",
                        family("rpc_seconds", io.aggregationgateway.proto.metrics.MetricType.SUMMARY, "RPCs.",
                                metric(m -> m.setSummary(Summary.newBuilder().setSampleCount(12).setSampleSum(4.25)
                                        .addQuantile(Quantile.newBuilder().setQuantile(0.5).setValue(0.3))
                                        .addQuantile(Quantile.newBuilder().setQuantile(0.99).setValue(1.2))), "svc", "a"),
                                metric(m -> m.setSummary(Summary.newBuilder()), "svc", "b")),
                        new MetricFamily("rpc_seconds", MetricType.SUMMARY, "RPCs.", List.of(
                                new SummarySample(Labels.of("svc", "a"), 12.0, 4.25),
                                new SummarySample(Labels.of("svc", "b"), 0.0, 0.0)))),
                arguments("non-ASCII label values",
                        family("g", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "Grüße, 世界 ✓",
                                metric(m -> m.setGauge(Gauge.newBuilder().setValue(1)),
                                        "city", "Zürich", "greeting", "こんにちは", "emoji", "🚀", "quote", "a\"b\\c\nd")),
                        new MetricFamily("g", MetricType.GAUGE, "Grüße, 世界 ✓", List.of(
                                new ScalarSample(Labels.of("city", "Zürich", "greeting", "こんにちは", "emoji", "🚀",
                                        "quote", "a\"b\\c\nd"), 1)))),
                arguments("empty-valued labels dropped",
                        family("g", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "",
                                metric(m -> m.setGauge(Gauge.newBuilder().setValue(1)), "a", "", "b", "2", "c", ""),
                                metric(m -> m.setGauge(Gauge.newBuilder().setValue(2))
                                        .addLabel(LabelPair.newBuilder().setName("unset_value")))),
                        new MetricFamily("g", MetricType.GAUGE, "", List.of(
                                new ScalarSample(Labels.of("b", "2"), 1),
                                new ScalarSample(Labels.EMPTY, 2)))),
                arguments("long label values (beyond the scratch buffers)",
                        family("g", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "",
                                metric(m -> m.setGauge(Gauge.newBuilder().setValue(1)), "long", "x".repeat(1000), "l2", "ü".repeat(300))),
                        new MetricFamily("g", MetricType.GAUGE, "", List.of(
                                new ScalarSample(Labels.of("long", "x".repeat(1000), "l2", "ü".repeat(300)), 1)))),
                arguments("unit ignored",
                        family("g", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "h").toBuilder().setUnit("seconds").build(),
                        new MetricFamily("g", MetricType.GAUGE, "h", List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversions")
    void convertsEachType(String description, io.aggregationgateway.proto.metrics.MetricFamily proto,
                          MetricFamily expected) throws PushRejectedException {
        assertFamilies(List.of(expected), decoder.decodeDelimited(delimited(proto), 0, delimited(proto).length));
        assertFamilies(List.of(expected), decoder.convert(List.of(proto)));
    }

    @Test
    void emptyBodyGivesNoFamilies() throws PushRejectedException {
        assertEquals(List.of(), decoder.decodeDelimited(new byte[0], 0, 0));
        assertEquals(List.of(), decoder.decodeDelimited(new byte[]{1, 2, 3}, 1, 0));
        assertEquals(List.of(), decoder.convert(List.of()));
    }

    @Test
    void severalMessagesInOrderSameNameTwiceStaysTwoFamilies() throws PushRejectedException {
        var a = family("a_total", io.aggregationgateway.proto.metrics.MetricType.COUNTER, "",
                metric(m -> m.setCounter(Counter.newBuilder().setValue(1)), "x", "1"));
        var b = family("b", io.aggregationgateway.proto.metrics.MetricType.SUMMARY, "",
                metric(m -> m.setSummary(Summary.newBuilder().setSampleCount(2).setSampleSum(3))));
        var a2 = family("a_total", io.aggregationgateway.proto.metrics.MetricType.COUNTER, "",
                metric(m -> m.setCounter(Counter.newBuilder().setValue(5)), "x", "2"));
        var empty = io.aggregationgateway.proto.metrics.MetricFamily.getDefaultInstance(); // zero-length message
        List<MetricFamily> expected = List.of(
                new MetricFamily("a_total", MetricType.COUNTER, "", List.of(new ScalarSample(Labels.of("x", "1"), 1))),
                new MetricFamily("b", MetricType.SUMMARY, "", List.of(new SummarySample(Labels.EMPTY, 2.0, 3.0))),
                new MetricFamily("a_total", MetricType.COUNTER, "", List.of(new ScalarSample(Labels.of("x", "2"), 5))),
                new MetricFamily("", MetricType.COUNTER, "", List.of()));
        byte[] body = delimited(a, b, a2, empty);
        assertFamilies(expected, decoder.decodeDelimited(body, 0, body.length));
        assertFamilies(expected, decoder.convert(List.of(a, b, a2, empty)));

        // a sub-range of a larger array: the bytes around it are never looked at
        byte[] padded = new byte[body.length + 20];
        Arrays.fill(padded, (byte) 0xff);
        System.arraycopy(body, 0, padded, 7, body.length);
        assertFamilies(expected, decoder.decodeDelimited(padded, 7, body.length));
    }

    @Test
    void rejectsOutOfRangeArguments() {
        assertThrows(IndexOutOfBoundsException.class, () -> decoder.decodeDelimited(new byte[3], 2, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> decoder.decodeDelimited(new byte[3], -1, 1));
    }

    // ---------------------------------------------------------------- malformed bodies

    @Test
    void truncatedVarint() {
        byte[] first = delimited(gauge("g", 1));
        byte[] body = concat(first, new byte[]{(byte) 0x85, (byte) 0x80});
        PushRejectedException e = rejected(body, RejectionReason.MALFORMED);
        assertMessage(e, "message #2 at byte " + first.length, "truncated length prefix");
    }

    @Test
    void overlongVarint() {
        byte[] body = new byte[12];
        Arrays.fill(body, (byte) 0x80);
        PushRejectedException e = rejected(body, RejectionReason.MALFORMED);
        assertMessage(e, "message #1 at byte 0", "length prefix", "longer than 10 bytes");
    }

    @Test
    void lengthBeyondEnd() {
        byte[] first = delimited(gauge("g", 1));
        byte[] body = concat(first, new byte[]{(byte) 0xf4, 0x03}, new byte[20]); // 500
        PushRejectedException e = rejected(body, RejectionReason.MALFORMED);
        assertMessage(e, "message #2 at byte " + first.length, "length prefix 500 but only 20 bytes remain");
    }

    @Test
    void hugeLengthPrefixReportedUnsigned() {
        byte[] body = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0};
        PushRejectedException e = rejected(body, RejectionReason.MALFORMED);
        assertMessage(e, "message #1 at byte 0", "length prefix 18446744073709551615 but only 1 bytes remain");
    }

    /** Cutting a three-message body anywhere fails in the message that was cut, unless the cut falls between messages. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 17, 30, 45, 60, 70, 80, 99})
    void truncatedAtSeveralPoints(int percent) throws PushRejectedException {
        byte[][] messages = {
                delimited(histogram("h", "job", "a")),
                delimited(gauge("g".repeat(150), 2)), // > 127 bytes: two-byte length prefix
                delimited(gauge("last", 3))};
        byte[] body = concat(messages);
        int cut = body.length * percent / 100;
        int start = 0;
        int index = 0;
        while (start + messages[index].length <= cut) {
            start += messages[index].length;
            index++;
        }
        if (start == cut) {
            assertEquals(index, decoder.decodeDelimited(body, 0, cut).size());
            return;
        }
        PushRejectedException e = rejected(Arrays.copyOf(body, cut), RejectionReason.MALFORMED);
        int prefixLength = index == 1 ? 2 : 1;
        if (cut - start < prefixLength) {
            assertMessage(e, "message #" + (index + 1) + " at byte " + start, "truncated length prefix");
        } else {
            int declared = messages[index].length - prefixLength;
            assertMessage(e, "message #" + (index + 1) + " at byte " + start,
                    "length prefix " + declared + " but only " + (cut - start - prefixLength) + " bytes remain");
        }
    }

    @Test
    void everyCutPointIsRejectedOrAtABoundary() {
        byte[] one = delimited(histogram("h", "job", "a"));
        for (int cut = 1; cut < one.length; cut++) {
            PushRejectedException e = rejected(Arrays.copyOf(one, cut), RejectionReason.MALFORMED);
            assertMessage(e, "message #1 at byte 0");
        }
    }

    @Test
    void garbageBytes() {
        byte[] first = delimited(gauge("g", 1));
        // length 3, then a tag with wire type 7 (does not exist)
        byte[] body = concat(first, new byte[]{3, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        PushRejectedException e = rejected(body, RejectionReason.MALFORMED);
        assertMessage(e, "message #2 at byte " + first.length, "invalid protobuf: ");
    }

    @Test
    void messageWhoseInnerFieldRunsPastItsLength() {
        // MetricFamily of 3 bytes: field 1 (name) says 100 bytes follow, only 1 does
        byte[] body = {3, 0x0a, 100, 'x'};
        PushRejectedException e = rejected(body, RejectionReason.MALFORMED);
        assertMessage(e, "message #1 at byte 0", "invalid protobuf: ");
    }

    @Test
    void garbageInsideANestedMessage() {
        // field 4 (metric) of 2 bytes that are a truncated tag varint
        byte[] body = {4, 0x22, 2, (byte) 0xff, (byte) 0xff};
        assertMessage(rejected(body, RejectionReason.MALFORMED), "message #1 at byte 0", "invalid protobuf: ");
    }

    @Test
    void strayEndGroupTag() {
        // name "x", then an end-group tag for field 1, then more bytes that must not be skipped silently
        byte[] body = {5, 0x0a, 1, 'x', 0x0c, 0x18};
        assertMessage(rejected(body, RejectionReason.MALFORMED), "message #1 at byte 0", "invalid protobuf: ");
    }

    @Test
    void unknownMetricType() {
        byte[] family = gauge("future", 1).toBuilder().clearType().build().toByteArray();
        byte[] withType7 = concat(family, new byte[]{0x18, 7});
        byte[] body = concat(new byte[]{(byte) withType7.length}, withType7);
        PushRejectedException e = rejected(body, RejectionReason.MALFORMED);
        assertMessage(e, "message #1 at byte 0", "family future", "unknown metric type 7");
    }

    static Stream<Arguments> wrongFieldForType() {
        return Stream.of(
                arguments(io.aggregationgateway.proto.metrics.MetricType.COUNTER,
                        (UnaryOperator<Metric.Builder>) m -> m.setGauge(Gauge.newBuilder().setValue(1)),
                        "counter family but the metric has no counter value"),
                arguments(io.aggregationgateway.proto.metrics.MetricType.COUNTER,
                        (UnaryOperator<Metric.Builder>) m -> m.setCounter(Counter.newBuilder()
                                .setCreatedTimestamp(Timestamp.newBuilder().setSeconds(1))),
                        "counter family but the metric has no counter value"),
                arguments(io.aggregationgateway.proto.metrics.MetricType.GAUGE,
                        (UnaryOperator<Metric.Builder>) m -> m.setCounter(Counter.newBuilder().setValue(1)),
                        "gauge family but the metric has no gauge value"),
                arguments(io.aggregationgateway.proto.metrics.MetricType.UNTYPED,
                        (UnaryOperator<Metric.Builder>) m -> m.setGauge(Gauge.newBuilder().setValue(1)),
                        "untyped family but the metric has no untyped value"),
                arguments(io.aggregationgateway.proto.metrics.MetricType.SUMMARY,
                        (UnaryOperator<Metric.Builder>) m -> m.setHistogram(Histogram.newBuilder().setSampleCount(1)),
                        "summary family but the metric has no summary"),
                arguments(io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM,
                        (UnaryOperator<Metric.Builder>) m -> m.setSummary(Summary.newBuilder().setSampleCount(1)),
                        "histogram family but the metric has no histogram"),
                arguments(io.aggregationgateway.proto.metrics.MetricType.GAUGE_HISTOGRAM,
                        (UnaryOperator<Metric.Builder>) m -> m.setGauge(Gauge.newBuilder().setValue(1)),
                        "gaugehistogram family but the metric has no histogram"));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("wrongFieldForType")
    void wrongFieldForType(io.aggregationgateway.proto.metrics.MetricType type, UnaryOperator<Metric.Builder> value,
                           String problem) {
        var ok = gauge("first", 1);
        var bad = family("x", type, "", metric(value, "a", "1"));
        byte[] okBytes = delimited(ok);
        PushRejectedException e = rejected(concat(okBytes, delimited(bad)), RejectionReason.MALFORMED);
        assertEquals("message #2 at byte " + okBytes.length + ": family x, series {a=\"1\"}: " + problem, e.getMessage());

        PushRejectedException viaConvert = assertThrows(PushRejectedException.class,
                () -> decoder.convert(List.of(ok, bad)));
        assertEquals(RejectionReason.MALFORMED, viaConvert.reason());
        assertEquals("message #2: family x, series {a=\"1\"}: " + problem, viaConvert.getMessage());
    }

    @Test
    void duplicateLabelName() {
        var bad = family("dup", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "",
                metric(m -> m.setGauge(Gauge.newBuilder().setValue(1)), "a", "1", "b", "2", "a", "3"));
        PushRejectedException e = rejected(delimited(bad), RejectionReason.MALFORMED);
        assertMessage(e, "message #1 at byte 0", "family dup", "series {a=\"1\",b=\"2\",a=\"3\"}", "label name a appears twice");
    }

    /** 120,000 labels, the last a second {@code l0}: refused for the count, before any sort would find the duplicate. */
    private static Metric manyLabels(int count) {
        Metric.Builder m = Metric.newBuilder().setCounter(Counter.newBuilder().setValue(1));
        for (int i = 0; i < count - 1; i++) {
            m.addLabel(label("l" + i, "v"));
        }
        return m.addLabel(label("l0", "again")).build();
    }

    @Test
    void moreLabelsThanTheLimitAreRefusedBeforeSortingAndNamedShortly() {
        var family = family("big_total", io.aggregationgateway.proto.metrics.MetricType.COUNTER, "", manyLabels(120_000));
        byte[] body = delimited(family);
        ProtobufDecoder limited = new ProtobufDecoder(64);

        PushRejectedException e = assertThrows(PushRejectedException.class, () -> limited.decodeDelimited(body, 0, body.length));
        assertEquals(RejectionReason.LABEL_LIMIT_EXCEEDED, e.reason(), e.getMessage());
        assertEquals("message #1 at byte 0: family big_total, series {l0=\"v\",l1=\"v\",l2=\"v\",l3=\"v\",l4=\"v\","
                + "l5=\"v\",l6=\"v\",l7=\"v\",l8=\"v\",l9=\"v\",… 119990 more}: 120000 labels, more than the limit of 64"
                + " (--max-labels-per-series)", e.getMessage());

        PushRejectedException converted = assertThrows(PushRejectedException.class, () -> limited.convert(List.of(family)));
        assertEquals(e.getMessage().replace("message #1 at byte 0", "message #1"), converted.getMessage());

        byte[] request = io.aggregationgateway.proto.v1.PushRequest.newBuilder().putGroupingLabels("job", "a")
                .addFamilies(family).build().toByteArray();
        PushRejectedException grpc = assertThrows(PushRejectedException.class, () -> limited.decodePushRequest(request));
        assertEquals(converted.getMessage(), grpc.getMessage());
    }

    @Test
    void labelsWithoutAValueDoNotCountTowardsTheLimit() throws PushRejectedException {
        var family = family("x_total", io.aggregationgateway.proto.metrics.MetricType.COUNTER, "",
                metric(m -> m.setCounter(Counter.newBuilder().setValue(1)), "a", "1", "b", "", "c", "3"));
        byte[] body = delimited(family);
        ProtobufDecoder limited = new ProtobufDecoder(2);
        assertEquals("{a=\"1\",c=\"3\"}", limited.decodeDelimited(body, 0, body.length).getFirst().series().getFirst()
                .labels().toString());
        assertEquals(RejectionReason.LABEL_LIMIT_EXCEEDED, assertThrows(PushRejectedException.class,
                () -> new ProtobufDecoder(1).decodeDelimited(body, 0, body.length)).reason());
    }

    @Test
    void rejectionsNameAtMostTenLabels() {
        var bad = family("dup", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "", manyLabels(12).toBuilder()
                .clearCounter().setGauge(Gauge.newBuilder().setValue(1)).build());
        PushRejectedException e = rejected(delimited(bad), RejectionReason.MALFORMED);
        assertMessage(e, "series {l0=\"v\",l1=\"v\",l2=\"v\",l3=\"v\",l4=\"v\",l5=\"v\",l6=\"v\",l7=\"v\",l8=\"v\",l9=\"v\",… 2 more}: ",
                "label name l0 appears twice");
    }

    @Test
    void duplicateLabelNameWithAnEmptyValueIsStillADuplicate() {
        var bad = family("dup", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "",
                metric(m -> m.setGauge(Gauge.newBuilder().setValue(1)), "a", "", "a", "3"));
        assertMessage(rejected(delimited(bad), RejectionReason.MALFORMED), "family dup", "label name a appears twice");
    }

    @Test
    void invalidUtf8InLabelValue() {
        var bad = family("bin", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "",
                metric(m -> m.setGauge(Gauge.newBuilder().setValue(1))
                        .addLabel(label("ok", "fine"))
                        .addLabel(LabelPair.newBuilder().setName("v")
                                .setValueBytes(ByteString.copyFrom(new byte[]{'a', (byte) 0xc3, 0x28})))));
        byte[] first = delimited(gauge("g", 1));
        PushRejectedException e = rejected(concat(first, delimited(bad)), RejectionReason.MALFORMED);
        assertMessage(e, "message #2 at byte " + first.length, "family bin", "value of label v is not valid UTF-8");
    }

    @Test
    void invalidUtf8InLabelName() {
        var bad = family("bin", io.aggregationgateway.proto.metrics.MetricType.GAUGE, "",
                metric(m -> m.setGauge(Gauge.newBuilder().setValue(1))
                        .addLabel(LabelPair.newBuilder().setNameBytes(ByteString.copyFrom(new byte[]{(byte) 0xff}))
                                .setValue("x"))));
        assertMessage(rejected(delimited(bad), RejectionReason.MALFORMED), "message #1 at byte 0", "family bin",
                "is not valid UTF-8");
    }

    @Test
    void invalidUtf8InFamilyNameOrHelp() {
        var badName = io.aggregationgateway.proto.metrics.MetricFamily.newBuilder()
                .setNameBytes(ByteString.copyFrom(new byte[]{'a', (byte) 0x80})).build();
        assertMessage(rejected(delimited(badName), RejectionReason.MALFORMED), "message #1 at byte 0",
                "family name is not valid UTF-8");
        var badHelp = gauge("g", 1).toBuilder().setHelpBytes(ByteString.copyFrom(new byte[]{(byte) 0xed, (byte) 0xa0, (byte) 0x80})).build();
        assertMessage(rejected(delimited(badHelp), RejectionReason.MALFORMED), "message #1 at byte 0",
                "family g: help is not valid UTF-8");
    }

    static Stream<Arguments> nativeHistograms() {
        Labels job = Labels.of("job", "j");
        return Stream.of(
                arguments("integer histogram: spans and deltas to absolute indices and counts",
                        (UnaryOperator<Histogram.Builder>) h -> h.setSampleCount(9).setSampleSum(4.5).setSchema(3)
                                .setZeroThreshold(0x1p-128).setZeroCount(1)
                                .addPositiveSpan(span(-2, 2)).addPositiveSpan(span(3, 1))
                                .addPositiveDelta(2).addPositiveDelta(1).addPositiveDelta(-2)
                                .addNegativeSpan(span(1, 1)).addNegativeDelta(2),
                        new NativeHistogram(job, 3, 0x1p-128, 1, 9, 4.5,
                                new NativeBuckets(new int[] {-2, -1, 3}, new double[] {2, 3, 1}),
                                new NativeBuckets(new int[] {1}, new double[] {2}), false, null)),
                arguments("float histogram: absolute counts",
                        (UnaryOperator<Histogram.Builder>) h -> h.setSampleCountFloat(2.5).setSampleSum(-1).setSchema(-2)
                                .setZeroThreshold(0.001).setZeroCountFloat(0.5)
                                .addPositiveSpan(span(0, 2)).addPositiveCount(1.25).addPositiveCount(0.75),
                        new NativeHistogram(job, -2, 0.001, 0.5, 2.5, -1,
                                new NativeBuckets(new int[] {0, 1}, new double[] {1.25, 0.75}), NativeBuckets.EMPTY, true, null)),
                arguments("no-op span marking an empty native histogram",
                        (UnaryOperator<Histogram.Builder>) h -> h.setSampleCount(0).setSchema(8).addPositiveSpan(span(0, 0)),
                        new NativeHistogram(job, 8, 0, 0, 0, 0, NativeBuckets.EMPTY, NativeBuckets.EMPTY, false, null)),
                arguments("zero count alone",
                        (UnaryOperator<Histogram.Builder>) h -> h.setSampleCount(3).setZeroCount(3),
                        new NativeHistogram(job, 0, 0, 3, 3, 0, NativeBuckets.EMPTY, NativeBuckets.EMPTY, false, null)),
                arguments("zero threshold alone",
                        (UnaryOperator<Histogram.Builder>) h -> h.setSampleCount(0).setZeroThreshold(1e-128),
                        new NativeHistogram(job, 0, 1e-128, 0, 0, 0, NativeBuckets.EMPTY, NativeBuckets.EMPTY, false, null)),
                arguments("float counts without float totals: an empty float histogram",
                        (UnaryOperator<Histogram.Builder>) h -> h.addPositiveSpan(span(1, 1)).addPositiveCount(0),
                        new NativeHistogram(job, 0, 0, 0, 0, 0,
                                new NativeBuckets(new int[] {1}, new double[] {0}), NativeBuckets.EMPTY, true, null)),
                arguments("negative deltas decoded as they come (the engine rejects negative counts)",
                        (UnaryOperator<Histogram.Builder>) h -> h.setSampleCount(1).addPositiveSpan(span(0, 2))
                                .addPositiveDelta(1).addPositiveDelta(-3),
                        new NativeHistogram(job, 0, 0, 0, 1, 0,
                                new NativeBuckets(new int[] {0, 1}, new double[] {1, -2}), NativeBuckets.EMPTY, false, null)),
                arguments("native plus classic buckets: both kept",
                        (UnaryOperator<Histogram.Builder>) h -> h.setSampleCount(2).setSampleSum(1.5).setSchema(0)
                                .setZeroThreshold(0x1p-128).addPositiveSpan(span(1, 1)).addPositiveDelta(2)
                                .addBucket(bucket(1, 0)).addBucket(bucket(2, 2)),
                        new NativeHistogram(job, 0, 0x1p-128, 0, 2, 1.5,
                                new NativeBuckets(new int[] {1}, new double[] {2}), NativeBuckets.EMPTY, false,
                                new ClassicHistogram(job, new double[] {1, 2}, new double[] {0, 2}, 2.0, 1.5))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nativeHistograms")
    void nativeHistogramDecoded(String description, UnaryOperator<Histogram.Builder> histogram, NativeHistogram expected)
            throws PushRejectedException {
        var family = family("nh", io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, "",
                metric(m -> m.setHistogram(histogram.apply(Histogram.newBuilder())), "job", "j"));
        List<MetricFamily> want = List.of(new MetricFamily("nh", MetricType.HISTOGRAM, "", List.of(expected)));
        assertFamilies(want, decoder.decodeDelimited(delimited(family), 0, delimited(family).length));
        assertFamilies(want, decoder.convert(List.of(family)));
    }

    static Stream<Arguments> undecodableNativeHistograms() {
        return Stream.of(
                arguments((UnaryOperator<Histogram.Builder>) h -> h.addPositiveSpan(span(0, 3)).addPositiveDelta(1).addPositiveDelta(1),
                        "positive spans cover 3 buckets but 2 deltas were sent"),
                arguments((UnaryOperator<Histogram.Builder>) h -> h.setZeroThreshold(1e-9).addNegativeSpan(span(0, 1))
                                .addNegativeDelta(1).addNegativeDelta(1),
                        "negative spans cover 1 bucket but 2 deltas were sent"),
                arguments((UnaryOperator<Histogram.Builder>) h -> h.setSampleCountFloat(1).addPositiveSpan(span(0, 1)).addPositiveDelta(1),
                        "positive spans cover 1 bucket but 0 counts were sent"),
                arguments((UnaryOperator<Histogram.Builder>) h -> h.addPositiveSpan(span(0, -1)),
                        "positive spans cover 4294967295 buckets but 0 deltas were sent"),
                arguments((UnaryOperator<Histogram.Builder>) h -> h.addPositiveSpan(span(Integer.MAX_VALUE, 1))
                                .addPositiveSpan(span(1, 1)).addPositiveDelta(1).addPositiveDelta(0),
                        "positive bucket index 2147483649 is out of range"),
                arguments((UnaryOperator<Histogram.Builder>) h -> h.addPositiveSpan(span(Integer.MAX_VALUE - 1, 3))
                                .addPositiveDelta(1).addPositiveDelta(0).addPositiveDelta(0),
                        "positive bucket index 2147483648 is out of range"),
                arguments((UnaryOperator<Histogram.Builder>) h -> h.addPositiveSpan(span(Integer.MAX_VALUE - 1, 3))
                                .addPositiveDelta(Long.MAX_VALUE).addPositiveDelta(1).addPositiveDelta(0),
                        "positive bucket 2147483647: the deltas overflow 64 bits"),
                arguments((UnaryOperator<Histogram.Builder>) h -> h.addPositiveSpan(span(0, 2))
                                .addPositiveDelta(Long.MAX_VALUE).addPositiveDelta(1),
                        "positive bucket 1: the deltas overflow 64 bits"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("undecodableNativeHistograms")
    void nativeHistogramWhoseSpansDoNotFitIsRejected(UnaryOperator<Histogram.Builder> histogram, String reason) {
        var family = family("nh", io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, "",
                metric(m -> m.setHistogram(histogram.apply(Histogram.newBuilder().setSampleCount(1))), "job", "j"));
        byte[] first = delimited(gauge("g", 1));
        PushRejectedException e = rejected(concat(first, delimited(family)), RejectionReason.INVALID_HISTOGRAM);
        assertEquals("message #2 at byte " + first.length + ": family nh, series {job=\"j\"}: native histogram: "
                + reason, e.getMessage());
    }

    static BucketSpan span(int offset, int length) {
        return BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
    }

    // ---------------------------------------------------------------- helpers

    private PushRejectedException rejected(byte[] body, RejectionReason reason) {
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> decoder.decodeDelimited(body, 0, body.length));
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    private static void assertMessage(PushRejectedException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "expected \"" + part + "\" in: " + e.getMessage());
        }
    }

    static io.aggregationgateway.proto.metrics.MetricFamily family(
            String name, io.aggregationgateway.proto.metrics.MetricType type, String help, Metric... metrics) {
        return io.aggregationgateway.proto.metrics.MetricFamily.newBuilder()
                .setName(name).setType(type).setHelp(help).addAllMetric(List.of(metrics)).build();
    }

    static Metric metric(UnaryOperator<Metric.Builder> value, String... labels) {
        Metric.Builder m = Metric.newBuilder();
        for (int i = 0; i < labels.length; i += 2) {
            m.addLabel(label(labels[i], labels[i + 1]));
        }
        return value.apply(m).build();
    }

    static LabelPair label(String name, String value) {
        return LabelPair.newBuilder().setName(name).setValue(value).build();
    }

    static Bucket bucket(double upperBound, long cumulativeCount) {
        return Bucket.newBuilder().setUpperBound(upperBound).setCumulativeCount(cumulativeCount).build();
    }

    private static io.aggregationgateway.proto.metrics.MetricFamily gauge(String name, double value) {
        return family(name, io.aggregationgateway.proto.metrics.MetricType.GAUGE, "",
                metric(m -> m.setGauge(Gauge.newBuilder().setValue(value))));
    }

    private static io.aggregationgateway.proto.metrics.MetricFamily histogram(String name, String... labels) {
        return family(name, io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, "A histogram.",
                metric(m -> m.setHistogram(Histogram.newBuilder().setSampleCount(9).setSampleSum(2)
                        .addBucket(bucket(0.25, 1)).addBucket(bucket(1, 4)).addBucket(bucket(INF, 9))), labels));
    }

    static byte[] delimited(io.aggregationgateway.proto.metrics.MetricFamily... families) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (var f : families) {
                f.writeDelimitedTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static void assertFamilies(List<MetricFamily> expected, List<MetricFamily> actual) {
        assertEquals(describe(expected), describe(actual));
    }

    /** A canonical text of decoded families (records with arrays do not compare by content). */
    static String describe(List<MetricFamily> families) {
        StringBuilder out = new StringBuilder();
        for (MetricFamily f : families) {
            out.append("family ").append(f.name()).append(' ').append(f.type()).append(" help=").append(f.help()).append('\n');
            for (Series s : f.series()) {
                out.append("  ");
                switch (s) {
                    case ScalarSample v -> out.append("scalar ").append(v.labels()).append(' ').append(v.value());
                    case ClassicHistogram h -> out.append("histogram ").append(h.labels())
                            .append(" bounds=").append(Arrays.toString(h.upperBounds()))
                            .append(" counts=").append(Arrays.toString(h.cumulativeCounts()))
                            .append(" count=").append(h.count()).append(" sum=").append(h.sum());
                    case NativeHistogram h -> {
                        out.append("native ").append(h.labels()).append(h.floatCounts() ? " float" : " integer")
                                .append(" schema=").append(h.schema()).append(" zt=").append(h.zeroThreshold())
                                .append(" zc=").append(h.zeroCount()).append(" count=").append(h.count())
                                .append(" sum=").append(h.sum())
                                .append(" pos=").append(Arrays.toString(h.positive().indices()))
                                .append(Arrays.toString(h.positive().counts()))
                                .append(" neg=").append(Arrays.toString(h.negative().indices()))
                                .append(Arrays.toString(h.negative().counts()));
                        if (h.classic() != null) {
                            out.append(" classic=").append(Arrays.toString(h.classic().upperBounds()))
                                    .append(Arrays.toString(h.classic().cumulativeCounts()));
                        }
                    }
                    case SummarySample v -> out.append("summary ").append(v.labels())
                            .append(" count=").append(v.count()).append(" sum=").append(v.sum());
                }
                out.append('\n');
            }
        }
        return out.toString();
    }
}
