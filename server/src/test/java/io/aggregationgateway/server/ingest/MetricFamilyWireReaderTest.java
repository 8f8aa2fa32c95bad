package io.aggregationgateway.server.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
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
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fast path must agree with the thorough one (protobuf-java's parser, then conversion) on
 * every message it reads, and must give up, not guess, on what it does not read.
 *
 * <p>The random tests print their seed on failure; rerun one with {@code -Dwirereader.seed=<seed>}.
 */
class MetricFamilyWireReaderTest {
    private static final int ITERATIONS = 500;

    private final MetricFamilyWireReader reader = new MetricFamilyWireReader();
    private final ProtobufDecoder decoder = new ProtobufDecoder();

    @Test
    void randomFamiliesReadAsTheThoroughPathReadsThem() {
        long base = Long.getLong("wirereader.seed", new Random().nextLong());
        int readFast = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i;
            List<io.aggregationgateway.proto.metrics.MetricFamily> protos = new ArrayList<>();
            ProtobufDecoderPropertyTest.randomFamily(new Random(seed), protos, new ArrayList<>());
            io.aggregationgateway.proto.metrics.MetricFamily proto = protos.getFirst();
            byte[] bytes = proto.toByteArray();
            MetricFamily fast = reader.read(bytes, 0, bytes.length);
            if (hasExemplar(proto)) {
                assertNull(fast, () -> "seed " + seed + ": exemplars are left to the thorough path");
                continue;
            }
            // everything else the generator makes (any type, UTF-8 labels, created timestamps,
            // timestamps, units, a lone schema) is read fast
            assertNotNull(fast, () -> "seed " + seed + ": gave up on " + proto);
            assertEquals(thorough(bytes), describe(fast), "seed " + seed + " (-Dwirereader.seed=" + seed + ")");
            readFast++;
        }
        assertEquals(true, readFast > ITERATIONS / 3, "too few messages took the fast path: " + readFast);
    }

    @Test
    void damagedMessagesAreReadOnlyWhenTheThoroughPathAgrees() {
        long base = Long.getLong("wirereader.seed", new Random().nextLong());
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i;
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
                if (fast != null) {
                    assertEquals(thorough(damaged), describe(fast), "seed " + seed + " (-Dwirereader.seed=" + seed + ")");
                }
            }
        }
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
            long seed = base + i;
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
            if (protos.stream().anyMatch(MetricFamilyWireReaderTest::hasExemplar)) {
                assertNull(fast, () -> "seed " + seed + ": exemplars are left to the thorough path");
                continue;
            }
            assertNotNull(fast, () -> "seed " + seed + ": gave up on " + request);
            assertEquals(thorough(request.build()), describe(fast), "seed " + seed + " (-Dwirereader.seed=" + seed + ")");
            readFast++;
        }
        assertEquals(true, readFast > ITERATIONS / 4, "too few requests took the fast path: " + readFast);
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

    static Stream<Arguments> givenUp() {
        return Stream.of(
                Arguments.of("exemplar on a counter", family(MetricType.COUNTER, Metric.newBuilder().setCounter(
                        Counter.newBuilder().setValue(1).setExemplar(Exemplar.newBuilder().setValue(1)))).toByteArray()),
                Arguments.of("exemplar on a bucket", family(MetricType.HISTOGRAM, Metric.newBuilder().setHistogram(
                        Histogram.newBuilder().setSampleCount(1).addBucket(Bucket.newBuilder().setUpperBound(1)
                                .setCumulativeCount(1).setExemplar(Exemplar.newBuilder().setValue(0.5))))).toByteArray()),
                Arguments.of("native histogram", family(MetricType.HISTOGRAM, Metric.newBuilder().setHistogram(
                        Histogram.newBuilder().setSampleCount(1).setSchema(0).setZeroThreshold(1e-9)
                                .addPositiveSpan(BucketSpan.newBuilder().setOffset(0).setLength(1)).addPositiveDelta(1)))
                        .toByteArray()),
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
                Arguments.of("unknown family field 9", concat(
                        field(1, ByteString.copyFromUtf8("x")), varintField(9, 1)).toByteArray()),
                Arguments.of("name sent twice", concat(
                        field(1, ByteString.copyFromUtf8("x")), field(1, ByteString.copyFromUtf8("y"))).toByteArray()),
                Arguments.of("counter sent twice (protobuf merges)", concat(field(1, ByteString.copyFromUtf8("x_total")),
                        field(4, concat(
                                field(3, Counter.newBuilder().setValue(1).build().toByteString()),
                                field(3, Counter.newBuilder().setValue(2).build().toByteString()))))
                        .toByteArray()),
                Arguments.of("value as a varint, not a double", concat(field(1, ByteString.copyFromUtf8("x_total")),
                        field(4, field(3, varintField(1, 5)))).toByteArray()),
                Arguments.of("truncated", Arrays.copyOf(family(MetricType.GAUGE, Metric.newBuilder()
                        .setGauge(Gauge.newBuilder().setValue(1))).toByteArray(), 9)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("givenUp")
    void givesUpOnWhatItDoesNotRead(String what, byte[] message) {
        assertNull(reader.read(message, 0, message.length), what);
        // and the reader is still good for the next message
        byte[] ok = family(MetricType.GAUGE, Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(1))).toByteArray();
        assertEquals(thorough(ok), describe(reader.read(ok, 0, ok.length)));
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

    private static boolean hasExemplar(io.aggregationgateway.proto.metrics.MetricFamily proto) {
        for (Metric m : proto.getMetricList()) {
            if (m.getCounter().hasExemplar() || m.getHistogram().getExemplarsCount() > 0
                    || m.getHistogram().getBucketList().stream().anyMatch(Bucket::hasExemplar)) {
                return true;
            }
        }
        return false;
    }

    private static io.aggregationgateway.proto.metrics.MetricFamily family(MetricType type, Metric.Builder metric) {
        return io.aggregationgateway.proto.metrics.MetricFamily.newBuilder()
                .setName(type == MetricType.COUNTER ? "x_total" : "x").setType(type).addMetric(metric).build();
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
