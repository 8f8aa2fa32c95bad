package io.aggregationgateway.server.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Exemplar;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.Series;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fast path must agree with the thorough one (protobuf-java's parser, then conversion) on
 * every message it reads, and must give up, not guess, on what it does not read; and it may give
 * up only on what the thorough path rejects (or on a group, which it does not read).
 *
 * <p>The random tests print their seed on failure; rerun one with {@code -Dwirereader.seed=<seed>}.
 */
class MetricFamilyWireReaderTest {
    private static final int ITERATIONS = 500;
    /**
     * Seeds this far apart: {@code java.util.Random}s of neighbouring seeds draw nearly the same
     * first numbers, so {@code base + i} could make 500 families of one type.
     */
    private static final long SEED_STEP = 0x9E3779B97F4A7C15L;

    private final MetricFamilyWireReader reader = new MetricFamilyWireReader(Integer.MAX_VALUE);
    private final ProtobufDecoder decoder = new ProtobufDecoder();

    @Test
    void randomFamiliesReadAsTheThoroughPathReadsThem() {
        long base = Long.getLong("wirereader.seed", new Random().nextLong());
        int nativeHistograms = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i * SEED_STEP;
            List<io.aggregationgateway.proto.metrics.MetricFamily> protos = new ArrayList<>();
            ProtobufDecoderPropertyTest.randomFamily(new Random(seed), protos, new ArrayList<>());
            io.aggregationgateway.proto.metrics.MetricFamily proto = protos.getFirst();
            byte[] bytes = proto.toByteArray();
            MetricFamily fast = reader.read(bytes, 0, bytes.length);
            // everything the generator makes (any type, classic and native histograms with their
            // classic buckets, exemplars, UTF-8 labels, created timestamps, timestamps, units, a
            // lone schema) is valid and read fast
            assertNotNull(fast, () -> "seed " + seed + ": gave up on " + proto);
            assertEquals(thorough(bytes), describe(fast), "seed " + seed + " (-Dwirereader.seed=" + seed + ")");
            nativeHistograms += (int) fast.series().stream().filter(NativeHistogram.class::isInstance).count();
        }
        assertTrue(nativeHistograms > ITERATIONS / 4, "too few native histograms were compared: " + nativeHistograms);
    }

    @Test
    void damagedMessagesAreReadOnlyWhenTheThoroughPathAgreesAndGivenUpOnlyWhenItRejects() {
        long base = Long.getLong("wirereader.seed", new Random().nextLong());
        int compared = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i * SEED_STEP;
            Random random = new Random(seed);
            List<io.aggregationgateway.proto.metrics.MetricFamily> protos = new ArrayList<>();
            ProtobufDecoderPropertyTest.randomFamily(random, protos, new ArrayList<>());
            byte[] bytes = protos.getFirst().toByteArray();
            if (bytes.length == 0) {
                continue;
            }
            for (int damage = 0; damage < 8; damage++) {
                byte[] damaged = switch (damage % 3) {
                    case 0 -> Arrays.copyOf(bytes, random.nextInt(bytes.length));
                    case 1 -> {
                        byte[] copy = bytes.clone();
                        copy[random.nextInt(copy.length)] ^= (byte) (1 + random.nextInt(255));
                        yield copy;
                    }
                    default -> {
                        byte[] copy = bytes.clone();
                        copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
                        copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
                        yield copy;
                    }
                };
                MetricFamily fast;
                try {
                    fast = reader.read(damaged, 0, damaged.length);
                } catch (RuntimeException e) {
                    throw new AssertionError("seed " + seed + ": damaged message crashed the fast path", e);
                }
                String thorough = thorough(damaged);
                if (fast != null) {
                    assertEquals(thorough, describe(fast), "seed " + seed + " (-Dwirereader.seed=" + seed + ")");
                } else if (!holdsAGroup(damaged)) {
                    assertTrue(thorough.startsWith("rejected: "), () -> "seed " + seed + " (-Dwirereader.seed=" + seed
                            + "): gave up on a message the thorough path reads as\n" + thorough);
                }
                compared++;
            }
        }
        assertTrue(compared > ITERATIONS, "too few damaged messages: " + compared);
    }

    @Test
    void fieldsInAnyOrderAreReadFast() {
        // the type after the metrics, the name last, the label value before its name
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writeBytes(bytes, 4, Metric.newBuilder()
                .setCounter(Counter.newBuilder().setValue(7))
                .addLabel(LabelPair.newBuilder().setName("path").setValue("/a"))
                .build().toByteString());
        writeBytes(bytes, 4, concat(
                field(1, reversedLabel("method", "GET")),
                field(3, Counter.newBuilder().setValue(2.5).build().toByteString())));
        writeVarint(bytes, 3, MetricType.COUNTER_VALUE);
        writeBytes(bytes, 2, ByteString.copyFromUtf8("requests"));
        writeBytes(bytes, 1, ByteString.copyFromUtf8("requests_total"));
        byte[] message = bytes.toByteArray();

        MetricFamily fast = reader.read(message, 0, message.length);

        assertNotNull(fast);
        assertEquals("""
                family requests_total COUNTER help=requests
                  scalar {path="/a"} 7.0
                  scalar {method="GET"} 2.5
                """, describe(fast));
        assertEquals(thorough(message), describe(fast));
    }

    @Test
    void readsAMessageInsideALargerBuffer() {
        byte[] message = family(MetricType.GAUGE, Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(3))).toByteArray();
        byte[] padded = new byte[message.length + 10];
        Arrays.fill(padded, (byte) 0xff);
        System.arraycopy(message, 0, padded, 5, message.length);

        MetricFamily fast = reader.read(padded, 5, message.length);

        assertEquals(thorough(message), describe(fast));
    }

    @Test
    void randomPushRequestsReadAsTheThoroughPathReadsThem() {
        long base = Long.getLong("wirereader.seed", new Random().nextLong());
        int readFast = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i * SEED_STEP;
            Random random = new Random(seed);
            PushRequest.Builder request = PushRequest.newBuilder();
            for (int g = random.nextInt(3); g > 0; g--) {
                request.putGroupingLabels(random.nextBoolean() ? "job" : "instance_" + g,
                        random.nextInt(4) == 0 ? "" : "värde-" + random.nextInt(100));
            }
            List<io.aggregationgateway.proto.metrics.MetricFamily> protos = new ArrayList<>();
            for (int f = random.nextInt(4); f > 0; f--) {
                ProtobufDecoderPropertyTest.randomFamily(random, protos, new ArrayList<>());
            }
            request.addAllFamilies(protos);
            byte[] bytes = request.build().toByteArray();
            Push fast = reader.readPushRequest(bytes, 0, bytes.length);
            assertNotNull(fast, () -> "seed " + seed + ": gave up on " + request);
            assertEquals(thorough(request.build()), describe(fast), "seed " + seed + " (-Dwirereader.seed=" + seed + ")");
            readFast++;
        }
        assertEquals(ITERATIONS, readFast);
    }

    @Test
    void aPushRequestWithAGroupingKeyTwiceKeepsTheLastValue() throws Exception {
        ByteString entries = concat(
                field(1, concat(field(1, ByteString.copyFromUtf8("job")), field(2, ByteString.copyFromUtf8("a")))),
                field(1, concat(field(1, ByteString.copyFromUtf8("job")), field(2, ByteString.copyFromUtf8("b")))));
        byte[] bytes = entries.concat(field(2, family(MetricType.GAUGE,
                Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(1))).toByteString())).toByteArray();

        assertNull(reader.readPushRequest(bytes, 0, bytes.length));
        Push push = decoder.decodePushRequest(bytes);
        assertEquals("{job=\"b\"}", push.groupingLabels().toString());
        assertEquals(thorough(PushRequest.parseFrom(bytes)), describe(push));
    }

    @Test
    void theReplaceFlagOfAPushRequestIsReadByBothPaths() throws Exception {
        for (boolean replace : new boolean[] {false, true}) {
            byte[] bytes = PushRequest.newBuilder().putGroupingLabels("job", "a").setReplace(replace)
                    .addFamilies(family(MetricType.GAUGE, Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(1))))
                    .build().toByteArray();
            assertEquals(replace, reader.readPushRequest(bytes, 0, bytes.length).replace());
            // a grouping key twice sends the request down the thorough path
            byte[] twice = concat(field(1, concat(field(1, ByteString.copyFromUtf8("job")), field(2, ByteString.copyFromUtf8("b")))),
                    ByteString.copyFrom(bytes)).toByteArray();
            assertNull(reader.readPushRequest(twice, 0, twice.length));
            assertEquals(replace, decoder.decodePushRequest(twice).replace());
        }
    }

    @Test
    void bytesThatAreNoPushRequestAreRejectedAsMalformed() {
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> decoder.decodePushRequest(new byte[]{0x12, 0x05, 0x0a}));
        assertEquals(RejectionReason.MALFORMED, e.reason());
        assertTrue(e.getMessage().startsWith("request message is not a valid PushRequest: "), e.getMessage());
    }

    /** Valid messages, some of which earlier versions of the fast path left to protobuf-java. */
    static Stream<Arguments> valid() {
        ByteString packedNative = concat(
                varintField(Histogram.SCHEMA_FIELD_NUMBER, 4), // zigzag: schema 2
                varintField(Histogram.SAMPLE_COUNT_FIELD_NUMBER, 6),
                field(Histogram.POSITIVE_SPAN_FIELD_NUMBER, BucketSpan.newBuilder().setOffset(-1).setLength(3).build().toByteString()),
                field(Histogram.POSITIVE_DELTA_FIELD_NUMBER, ByteString.copyFrom(new byte[]{2, 1, 3})), // zigzag 1, -1, -2
                field(Histogram.NEGATIVE_SPAN_FIELD_NUMBER, BucketSpan.newBuilder().setOffset(0).setLength(1).build().toByteString()),
                field(Histogram.NEGATIVE_DELTA_FIELD_NUMBER, ByteString.copyFrom(new byte[]{2}))); // zigzag 1
        ByteString packedCounts = concat(
                field(Histogram.POSITIVE_SPAN_FIELD_NUMBER, BucketSpan.newBuilder().setOffset(3).setLength(2).build().toByteString()),
                field(Histogram.POSITIVE_COUNT_FIELD_NUMBER, concat(doubleBytes(0.5), doubleBytes(1.5))));
        return Stream.of(
                Arguments.of("exemplar on a counter", family(MetricType.COUNTER, Metric.newBuilder().setCounter(
                        Counter.newBuilder().setValue(1).setExemplar(Exemplar.newBuilder().setValue(1)
                                .addLabel(LabelPair.newBuilder().setName("trace_id").setValue("abc"))))).toByteArray()),
                Arguments.of("exemplar on a bucket", family(MetricType.HISTOGRAM, Metric.newBuilder().setHistogram(
                        Histogram.newBuilder().setSampleCount(1).addBucket(Bucket.newBuilder().setUpperBound(1)
                                .setCumulativeCount(1).setExemplar(Exemplar.newBuilder().setValue(0.5))))).toByteArray()),
                Arguments.of("native histogram", family(MetricType.HISTOGRAM, Metric.newBuilder().setHistogram(
                        Histogram.newBuilder().setSampleCount(1).setSchema(0).setZeroThreshold(1e-9)
                                .addPositiveSpan(BucketSpan.newBuilder().setOffset(0).setLength(1)).addPositiveDelta(1)))
                        .toByteArray()),
                Arguments.of("native gauge histogram with exemplars, classic buckets and a created timestamp",
                        family(MetricType.GAUGE_HISTOGRAM, Metric.newBuilder().setHistogram(Histogram.newBuilder()
                                .setSampleCount(3).setSampleSum(1.5).setSchema(-1).setZeroThreshold(0x1p-128).setZeroCount(1)
                                .addBucket(Bucket.newBuilder().setUpperBound(1).setCumulativeCount(2))
                                .addNegativeSpan(BucketSpan.newBuilder().setOffset(2).setLength(1)).addNegativeDelta(2)
                                .addExemplars(Exemplar.newBuilder().setValue(-3))
                                .setCreatedTimestamp(com.google.protobuf.Timestamp.newBuilder().setSeconds(5)))).toByteArray()),
                Arguments.of("deltas one field each, of one and more bytes, runs broken by other fields",
                        header(MetricType.HISTOGRAM).concat(field(4, field(Metric.HISTOGRAM_FIELD_NUMBER, Histogram.newBuilder()
                                .setSampleCount(5_000).setSchema(2)
                                .addPositiveSpan(BucketSpan.newBuilder().setOffset(-100).setLength(200))
                                .addPositiveSpan(BucketSpan.newBuilder().setOffset(70).setLength(3))
                                .addAllPositiveDelta(IntStream.range(0, 203).mapToObj(i -> (long) (i % 7 == 0 ? 64 : i % 7 == 1 ? -63 : 0)).toList())
                                .addNegativeSpan(BucketSpan.newBuilder().setOffset(0).setLength(2))
                                .addNegativeDelta(1).addNegativeDelta(1L << 40).build().toByteString()
                                .concat(ByteString.copyFrom(new byte[]{0x68, 0x02})) // one more positive delta, 1
                                .concat(field(Histogram.POSITIVE_SPAN_FIELD_NUMBER,
                                        BucketSpan.newBuilder().setOffset(1).setLength(1).build().toByteString())))))
                                .toByteArray()),
                Arguments.of("packed deltas", header(MetricType.HISTOGRAM).concat(field(4, field(Metric.HISTOGRAM_FIELD_NUMBER, packedNative))).toByteArray()),
                Arguments.of("packed counts", header(MetricType.HISTOGRAM).concat(field(4, field(Metric.HISTOGRAM_FIELD_NUMBER, packedCounts))).toByteArray()),
                Arguments.of("unknown family field 9", concat(
                        field(1, ByteString.copyFromUtf8("x")), varintField(9, 1)).toByteArray()),
                Arguments.of("unknown fields in a metric, a label and a counter", concat(field(1, ByteString.copyFromUtf8("x_total")),
                        field(4, concat(field(1, concat(field(1, ByteString.copyFromUtf8("a")), varintField(7, 3),
                                        field(2, ByteString.copyFromUtf8("b")))),
                                varintField(99, 1), field(3, concat(varintField(1, 5), doubleField(1, 2.5)))))).toByteArray()),
                Arguments.of("name sent twice: the last wins", concat(
                        field(1, ByteString.copyFromUtf8("x")), field(1, ByteString.copyFromUtf8("y"))).toByteArray()),
                Arguments.of("counter sent twice: protobuf merges", concat(field(1, ByteString.copyFromUtf8("x_total")),
                        field(4, concat(
                                field(3, Counter.newBuilder().setValue(1).build().toByteString()),
                                field(3, Counter.newBuilder().setValue(2).build().toByteString()))))
                        .toByteArray()),
                Arguments.of("histogram sent twice: buckets add up, scalars are overwritten", concat(
                        field(1, ByteString.copyFromUtf8("x")), varintField(3, MetricType.HISTOGRAM_VALUE),
                        field(4, concat(
                                field(7, Histogram.newBuilder().setSampleCount(1).setSampleSum(3)
                                        .addBucket(Bucket.newBuilder().setUpperBound(1).setCumulativeCount(1)).build().toByteString()),
                                field(7, Histogram.newBuilder().setSampleCount(2)
                                        .addBucket(Bucket.newBuilder().setUpperBound(2).setCumulativeCount(2)).build().toByteString()))))
                        .toByteArray()),
                Arguments.of("another type's value alongside the family's", family(MetricType.COUNTER, Metric.newBuilder()
                        .setGauge(Gauge.newBuilder().setValue(9)).setCounter(Counter.newBuilder().setValue(1))).toByteArray()),
                Arguments.of("an unknown type number, then a known one", concat(field(1, ByteString.copyFromUtf8("x")),
                        varintField(3, 9), varintField(3, MetricType.GAUGE_VALUE),
                        field(4, Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(1)).build().toByteString())).toByteArray()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void readsValidMessagesAsTheThoroughPathReadsThem(String what, byte[] message) {
        String thorough = thorough(message);
        assertFalse(thorough.startsWith("rejected: "), thorough);
        MetricFamily fast = reader.read(message, 0, message.length);
        assertNotNull(fast, what);
        assertEquals(thorough, describe(fast));
    }

    /** What the thorough path rejects; the fast path gives these up for it to word. */
    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("label name twice", family(MetricType.GAUGE, Metric.newBuilder()
                        .addLabel(LabelPair.newBuilder().setName("a").setValue("1"))
                        .addLabel(LabelPair.newBuilder().setName("a").setValue("2"))
                        .setGauge(Gauge.newBuilder().setValue(1))).toByteArray()),
                Arguments.of("label value not UTF-8", family(MetricType.GAUGE, Metric.newBuilder()
                        .addLabel(LabelPair.newBuilder().setName("a").setValueBytes(ByteString.copyFrom(new byte[]{'x', (byte) 0xc0})))
                        .setGauge(Gauge.newBuilder().setValue(1))).toByteArray()),
                Arguments.of("counter family, gauge metric", family(MetricType.COUNTER, Metric.newBuilder()
                        .setGauge(Gauge.newBuilder().setValue(1))).toByteArray()),
                Arguments.of("counter without value", family(MetricType.COUNTER, Metric.newBuilder()
                        .setCounter(Counter.newBuilder())).toByteArray()),
                Arguments.of("unknown metric type 9", concat(
                        field(1, ByteString.copyFromUtf8("x")), varintField(3, 9)).toByteArray()),
                Arguments.of("the type as a double, not a varint", concat(
                        field(1, ByteString.copyFromUtf8("x")), doubleField(3, 1)).toByteArray()),
                Arguments.of("value as a varint, not a double", concat(field(1, ByteString.copyFromUtf8("x_total")),
                        field(4, field(3, varintField(1, 5)))).toByteArray()),
                Arguments.of("native spans that do not fit the deltas", family(MetricType.HISTOGRAM, Metric.newBuilder()
                        .setHistogram(Histogram.newBuilder().setSampleCount(1)
                                .addPositiveSpan(BucketSpan.newBuilder().setOffset(0).setLength(2)).addPositiveDelta(1)))
                        .toByteArray()),
                Arguments.of("packed counts cut inside a double", header(MetricType.HISTOGRAM).concat(field(4, field(Metric.HISTOGRAM_FIELD_NUMBER, concat(
                                field(Histogram.POSITIVE_SPAN_FIELD_NUMBER, BucketSpan.newBuilder().setLength(1).build().toByteString()),
                                field(Histogram.POSITIVE_COUNT_FIELD_NUMBER, doubleBytes(1).substring(0, 5))))))
                        .toByteArray()),
                Arguments.of("an exemplar whose label is no message", header(MetricType.COUNTER).concat(field(4, field(Metric.COUNTER_FIELD_NUMBER, concat(doubleField(1, 1),
                                field(Counter.EXEMPLAR_FIELD_NUMBER, field(Exemplar.LABEL_FIELD_NUMBER,
                                        ByteString.copyFrom(new byte[]{0x0a, 0x05, 'a'}))))))).toByteArray()),
                Arguments.of("a delta's tag, then nothing", header(MetricType.HISTOGRAM).concat(field(4, field(Metric.HISTOGRAM_FIELD_NUMBER, concat(
                                field(Histogram.POSITIVE_SPAN_FIELD_NUMBER, BucketSpan.newBuilder().setLength(2).build().toByteString()),
                                ByteString.copyFrom(new byte[]{0x68, 0x02, 0x68})))))
                        .toByteArray()),
                Arguments.of("a delta cut inside its varint", header(MetricType.HISTOGRAM).concat(field(4, field(Metric.HISTOGRAM_FIELD_NUMBER, concat(
                                field(Histogram.POSITIVE_SPAN_FIELD_NUMBER, BucketSpan.newBuilder().setLength(2).build().toByteString()),
                                ByteString.copyFrom(new byte[]{0x68, 0x02, 0x68, (byte) 0x80})))))
                        .toByteArray()),
                Arguments.of("truncated", Arrays.copyOf(family(MetricType.GAUGE, Metric.newBuilder()
                        .setGauge(Gauge.newBuilder().setValue(1))).toByteArray(), 9)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void givesUpWhatTheThoroughPathRejects(String what, byte[] message) {
        assertTrue(thorough(message).startsWith("rejected: "), thorough(message));
        assertNull(reader.read(message, 0, message.length), what);
        // and the reader is still good for the next message
        byte[] ok = family(MetricType.GAUGE, Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(1))).toByteArray();
        assertEquals(thorough(ok), describe(reader.read(ok, 0, ok.length)));
    }

    /**
     * Both paths, given grouping labels, read what the engine makes of a message read without them:
     * each series with the grouping labels added, theirs winning (a metric that has a label of a
     * grouping label's name keeps its labels as pushed). The fast path reads the random families; the
     * thorough one reads a message with a group, which only it reads.
     */
    @Test
    void withGroupingLabelsBothPathsReadWhatTheEngineMakesOfTheMessage() throws PushRejectedException {
        long base = Long.getLong("wirereader.seed", new Random().nextLong());
        Labels grouping = Labels.of("job", "j", "instance", "i");
        MetricFamilyWireReader grouped = new MetricFamilyWireReader(Integer.MAX_VALUE, grouping);
        int added = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i * SEED_STEP;
            List<io.aggregationgateway.proto.metrics.MetricFamily> protos = new ArrayList<>();
            ProtobufDecoderPropertyTest.randomFamily(new Random(seed), protos, new ArrayList<>());
            byte[] bytes = protos.getFirst().toByteArray();
            MetricFamily plain = reader.read(bytes, 0, bytes.length);
            MetricFamily fast = grouped.read(bytes, 0, bytes.length);
            assertEquals(describe(withOverrides(plain, grouping)), describe(withOverrides(fast, grouping)),
                    "seed " + seed + " (-Dwirereader.seed=" + seed + ")");
            for (Series s : fast.series()) {
                added += s.labels().containsAll(grouping) ? 1 : 0;
            }
        }
        assertTrue(added > ITERATIONS / 2, "grouping labels added while reading to " + added + " series");
        Metric metric = Metric.newBuilder().addLabel(LabelPair.newBuilder().setName("a").setValue("1"))
                .setCounter(Counter.newBuilder().setValue(2)).build();
        byte[] group = concat(field(1, ByteString.copyFromUtf8("x")), field(4, metric.toByteString()),
                ByteString.copyFrom(new byte[]{(9 << 3) | 3, 0x08, 0x01, (9 << 3) | 4})).toByteArray();
        assertNull(grouped.read(group, 0, group.length));
        byte[] delimited = delimited(group);
        assertEquals("family x COUNTER help=\n  scalar {a=\"1\",instance=\"i\",job=\"j\"} 2.0\n",
                ProtobufDecoderTest.describe(decoder.decodeDelimited(delimited, 0, delimited.length, grouping)));
    }

    /**
     * The decoder says the series hold the grouping labels only when it built them into every one:
     * so the engine does not look for them again. A metric with a label of a grouping label's name,
     * on either path, keeps its labels as pushed, and then the push says nothing.
     */
    @Test
    void decodeSaysTheSeriesHoldTheGroupingLabelsOnlyWhenEveryOneDoes() throws PushRejectedException {
        long base = Long.getLong("wirereader.seed", new Random().nextLong());
        Labels grouping = Labels.of("job", "j", "instance", "i");
        int said = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i * SEED_STEP;
            List<io.aggregationgateway.proto.metrics.MetricFamily> protos = new ArrayList<>();
            ProtobufDecoderPropertyTest.randomFamily(new Random(seed), protos, new ArrayList<>());
            byte[] body = delimited(protos.getFirst().toByteArray());
            var decoded = decoder.decode(body, 0, body.length, grouping);
            if (decoded.groupingInSeries().equals(grouping)) {
                said++;
                for (Series s : decoded.families().getFirst().series()) {
                    assertEquals(s.labels(), s.labels().withOverrides(grouping), "seed " + seed + " (-Dwirereader.seed=" + seed + ")");
                }
            } else {
                assertEquals(Labels.EMPTY, decoded.groupingInSeries());
            }
        }
        // the random labels are named job and instance often enough for both answers
        assertTrue(said > ITERATIONS / 10 && said < ITERATIONS * 9 / 10, "said of " + said + " of " + ITERATIONS + " pushes");

        Metric plain = Metric.newBuilder().addLabel(LabelPair.newBuilder().setName("a").setValue("1"))
                .setCounter(Counter.newBuilder().setValue(2)).build();
        Metric ownJob = plain.toBuilder().addLabel(LabelPair.newBuilder().setName("job").setValue("mine")).build();
        ByteString name = field(1, ByteString.copyFromUtf8("x"));
        // a group (field 9) is read by the thorough path alone
        ByteString group = ByteString.copyFrom(new byte[]{(9 << 3) | 3, 0x08, 0x01, (9 << 3) | 4});
        assertEquals(grouping, groupingInSeries(grouping, concat(name, field(4, plain.toByteString()))), "fast path, plain");
        assertEquals(Labels.EMPTY, groupingInSeries(grouping, concat(name, field(4, plain.toByteString()),
                field(4, ownJob.toByteString()))), "fast path, a metric with its own job");
        assertEquals(grouping, groupingInSeries(grouping, concat(name, field(4, plain.toByteString()), group)),
                "thorough path, plain");
        assertEquals(Labels.EMPTY, groupingInSeries(grouping, concat(name, field(4, ownJob.toByteString()), group)),
                "thorough path, a metric with its own job");
    }

    private Labels groupingInSeries(Labels grouping, ByteString message) throws PushRejectedException {
        byte[] body = delimited(message.toByteArray());
        return decoder.decode(body, 0, body.length, grouping).groupingInSeries();
    }

    private static MetricFamily withOverrides(MetricFamily family, Labels grouping) {
        return new MetricFamily(family.name(), family.type(), family.help(),
                family.series().stream().map(s -> s.withLabels(s.labels().withOverrides(grouping))).toList());
    }

    private static byte[] delimited(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            coded.writeUInt32NoTag(message.length);
            coded.writeRawBytes(message);
            coded.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Test
    void givesUpAGroupWhichOnlyTheThoroughPathReads() {
        // field 9 as a group holding one varint field: valid protobuf, written by no Prometheus client
        byte[] message = concat(field(1, ByteString.copyFromUtf8("x")),
                ByteString.copyFrom(new byte[]{(9 << 3) | 3, 0x08, 0x01, (9 << 3) | 4})).toByteArray();

        assertNull(reader.read(message, 0, message.length));
        assertEquals("family x COUNTER help=\n", thorough(message));
        assertTrue(holdsAGroup(message));
    }

    @Test
    void givesUpAMetricWithMoreLabelsThanTheLimitBeforeReadingTheRest() {
        Metric.Builder metric = Metric.newBuilder().setCounter(Counter.newBuilder().setValue(1));
        for (int i = 0; i < 5; i++) {
            metric.addLabel(LabelPair.newBuilder().setName("l" + i).setValue(i == 2 ? "" : "v"));
        }
        byte[] fourWithValues = family(MetricType.COUNTER, metric).toByteArray();
        metric.addLabel(LabelPair.newBuilder().setName("l5").setValue("v"));
        byte[] five = family(MetricType.COUNTER, metric).toByteArray();

        MetricFamilyWireReader limited = new MetricFamilyWireReader(4);
        assertEquals(thorough(fourWithValues), describe(limited.read(fourWithValues, 0, fourWithValues.length)),
                "an empty value is no label");
        assertNull(limited.read(five, 0, five.length));
    }

    @Test
    void givenUpMessagesAreStillWordedByTheDecoder() throws Exception {
        byte[] body = ProtobufDecoderTest.delimited(
                family(MetricType.GAUGE, Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(1))),
                family(MetricType.COUNTER, Metric.newBuilder().setCounter(Counter.newBuilder())));
        try {
            decoder.decodeDelimited(body, 0, body.length);
            fail("a counter without value must be rejected");
        } catch (PushRejectedException e) {
            int secondMessage = family(MetricType.GAUGE, Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(1)))
                    .getSerializedSize() + 1;
            assertEquals("message #2 at byte " + secondMessage
                    + ": family x_total, series {}: counter family but the metric has no counter value", e.getMessage());
        }
    }

    /** The thorough path's reading of one message, or what it rejected it for. */
    private String thorough(byte[] message) {
        try {
            var proto = io.aggregationgateway.proto.metrics.MetricFamily.parseFrom(message);
            return ProtobufDecoderTest.describe(decoder.convert(List.of(proto)));
        } catch (InvalidProtocolBufferException | PushRejectedException e) {
            return "rejected: " + e.getMessage();
        }
    }

    /** The old path of the gRPC service: protobuf-java's parse, then conversion. */
    private String thorough(PushRequest request) {
        Labels.Builder grouping = new Labels.Builder();
        request.getGroupingLabelsMap().forEach(grouping::add);
        try {
            return "grouping " + grouping.build() + "\n" + ProtobufDecoderTest.describe(decoder.convert(request.getFamiliesList()));
        } catch (PushRejectedException e) {
            return "rejected: " + e.getMessage();
        }
    }

    private static String describe(Push push) {
        return "grouping " + push.groupingLabels() + "\n" + ProtobufDecoderTest.describe(push.families());
    }

    private static String describe(MetricFamily family) {
        return ProtobufDecoderTest.describe(List.of(family));
    }

    /** Whether the message parses and holds a group anywhere, which only the thorough path reads. */
    private static boolean holdsAGroup(byte[] message) {
        try {
            return holdsAGroup(io.aggregationgateway.proto.metrics.MetricFamily.parseFrom(message));
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    private static boolean holdsAGroup(Message message) {
        for (UnknownFieldSet.Field unknown : message.getUnknownFields().asMap().values()) {
            if (!unknown.getGroupList().isEmpty()) {
                return true;
            }
        }
        for (Object value : message.getAllFields().values()) {
            for (Object element : value instanceof List<?> list ? list : List.of(value)) {
                if (element instanceof Message nested && holdsAGroup(nested)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static io.aggregationgateway.proto.metrics.MetricFamily family(MetricType type, Metric.Builder metric) {
        return io.aggregationgateway.proto.metrics.MetricFamily.newBuilder()
                .setName(type == MetricType.COUNTER ? "x_total" : "x").setType(type).addMetric(metric).build();
    }

    /** A family's name and type, without metrics. */
    private static ByteString header(MetricType type) {
        return io.aggregationgateway.proto.metrics.MetricFamily.newBuilder()
                .setName(type == MetricType.COUNTER ? "x_total" : "x").setType(type).build().toByteString();
    }

    private static ByteString reversedLabel(String name, String value) {
        return concat(field(2, ByteString.copyFromUtf8(value)), field(1, ByteString.copyFromUtf8(name)));
    }

    private static ByteString field(int number, ByteString content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeBytes(out, number, content);
        return ByteString.copyFrom(out.toByteArray());
    }

    private static ByteString varintField(int number, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, number, value);
        return ByteString.copyFrom(out.toByteArray());
    }

    private static ByteString doubleField(int number, double value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, coded -> coded.writeDouble(number, value));
        return ByteString.copyFrom(out.toByteArray());
    }

    private static ByteString doubleBytes(double value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, coded -> coded.writeDoubleNoTag(value));
        return ByteString.copyFrom(out.toByteArray());
    }

    private static ByteString concat(ByteString... parts) {
        ByteString all = ByteString.EMPTY;
        for (ByteString part : parts) {
            all = all.concat(part);
        }
        return all;
    }

    private static void writeBytes(ByteArrayOutputStream out, int number, ByteString content) {
        write(out, coded -> coded.writeBytes(number, content));
    }

    private static void writeVarint(ByteArrayOutputStream out, int number, long value) {
        write(out, coded -> coded.writeUInt64(number, value));
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static void write(ByteArrayOutputStream out, Writer writer) {
        try {
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            writer.write(coded);
            coded.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
