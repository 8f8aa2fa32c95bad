package io.aggregationgateway.server.ingest;

import com.google.protobuf.CodedOutputStream;
import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.Series;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The wire reader sums a side's first run of deltas into its buckets as it reads them, when the
 * spans came first; the thorough path (protobuf-java's parse, then {@link ProtobufDecoder#convert})
 * never does, and decodes the deltas after they are all read. Both must give every body the same
 * buckets or the same refusal: random integer native histograms written field by field, deltas
 * one field each (as client_java sends them) or packed, spans before or after the deltas or both,
 * deltas split into two runs, fewer or more deltas than the spans cover, deltas of several bytes,
 * deltas that overflow 64 bits, negative counts, spans that overlap or leave the engine's range.
 *
 * <p>The base seed is random per run and printed on failure; rerun one with
 * {@code -Dstreamed.seed=<seed>}.
 */
class NativeDeltasStreamedPropertyTest {
    private static final int ITERATIONS = 3000;
    private static final long[] LARGE = {Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE / 2 + 1, 1L << 40, -(1L << 40), 300, -300};

    private final ProtobufDecoder decoder = new ProtobufDecoder(Integer.MAX_VALUE, true);

    @Test
    void streamedDeltasDecodeAsTheThoroughPathDecodesThem() {
        long base = Long.getLong("streamed.seed", new Random().nextLong());
        int accepted = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i;
            try {
                accepted += check(new Random(seed)) ? 1 : 0;
            } catch (Throwable t) {
                fail("failed with seed " + seed + " (-Dstreamed.seed=" + seed + "): " + t, t);
            }
        }
        // the generator must reach both outcomes often, or the property says little
        assertTrue(accepted > ITERATIONS / 5 && accepted < ITERATIONS - ITERATIONS / 5, accepted + " bodies accepted");
    }

    /** Whether the body was accepted (by both paths alike). */
    private boolean check(Random random) throws IOException {
        byte[] body = body(random);
        List<io.aggregationgateway.proto.metrics.MetricFamily> parsed = new ArrayList<>();
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        io.aggregationgateway.proto.metrics.MetricFamily family;
        while ((family = io.aggregationgateway.proto.metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            parsed.add(family);
        }
        List<MetricFamily> fast = null;
        List<MetricFamily> thorough = null;
        String fastRefusal = null;
        String thoroughRefusal = null;
        try {
            fast = decoder.decodeDelimited(body, 0, body.length);
        } catch (PushRejectedException e) {
            fastRefusal = e.getMessage();
        }
        try {
            thorough = decoder.convert(parsed);
        } catch (PushRejectedException e) {
            thoroughRefusal = e.getMessage();
        }
        if (fast == null || thorough == null) {
            assertTrue(fast == null && thorough == null, "one path refused: " + fastRefusal + thoroughRefusal);
            // the thorough path names no byte offset; the refusal's own words must match
            assertTrue(fastRefusal.contains(thoroughRefusal.substring(thoroughRefusal.indexOf(':') + 1).strip())
                    || thoroughRefusal.contains(fastRefusal.substring(fastRefusal.indexOf(':') + 1).strip()),
                    fastRefusal + " / " + thoroughRefusal);
            return false;
        }
        NativeHistogram a = only(fast);
        NativeHistogram b = only(thorough);
        assertBuckets(b.positive(), a.positive());
        assertBuckets(b.negative(), a.negative());
        assertEquals(b.count(), a.count());
        assertEquals(b.zeroCount(), a.zeroCount());
        return true;
    }

    private static NativeHistogram only(List<MetricFamily> families) {
        assertEquals(1, families.size());
        Series series = families.get(0).series().get(0);
        return (NativeHistogram) series;
    }

    private static void assertBuckets(NativeBuckets expected, NativeBuckets actual) {
        assertArrayEquals(expected.indices(), actual.indices(), "indices");
        assertArrayEquals(expected.counts(), actual.counts(), "counts");
    }

    private static byte[] body(Random random) {
        ByteArrayOutputStream histogram = new ByteArrayOutputStream();
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(histogram);
            out.writeUInt64(Histogram.SAMPLE_COUNT_FIELD_NUMBER, 1000);
            out.writeDouble(Histogram.SAMPLE_SUM_FIELD_NUMBER, 5);
            out.writeSInt32(Histogram.SCHEMA_FIELD_NUMBER, 3);
            out.writeDouble(Histogram.ZERO_THRESHOLD_FIELD_NUMBER, 0x1p-128); // native even without spans
            side(random, out, Histogram.POSITIVE_SPAN_FIELD_NUMBER, Histogram.POSITIVE_DELTA_FIELD_NUMBER);
            if (random.nextInt(3) == 0) {
                side(random, out, Histogram.NEGATIVE_SPAN_FIELD_NUMBER, Histogram.NEGATIVE_DELTA_FIELD_NUMBER);
            }
            out.flush();
            ByteArrayOutputStream family = new ByteArrayOutputStream();
            Metric metric = Metric.newBuilder().addLabel(LabelPair.newBuilder().setName("a").setValue("1")).build();
            CodedOutputStream f = CodedOutputStream.newInstance(family);
            f.writeString(io.aggregationgateway.proto.metrics.MetricFamily.NAME_FIELD_NUMBER, "h");
            f.writeEnum(io.aggregationgateway.proto.metrics.MetricFamily.TYPE_FIELD_NUMBER,
                    io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM_VALUE);
            byte[] metricBytes = concat(metric.toByteArray(), field(Metric.HISTOGRAM_FIELD_NUMBER, histogram.toByteArray()));
            f.writeByteArray(io.aggregationgateway.proto.metrics.MetricFamily.METRIC_FIELD_NUMBER, metricBytes);
            f.flush();
            ByteArrayOutputStream delimited = new ByteArrayOutputStream();
            CodedOutputStream d = CodedOutputStream.newInstance(delimited);
            d.writeUInt32NoTag(family.size());
            d.writeRawBytes(family.toByteArray());
            d.flush();
            return delimited.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One side: its spans and deltas, in one of the orders and forms a sender may choose. */
    private static void side(Random random, CodedOutputStream out, int spanField, int deltaField) throws IOException {
        List<int[]> spans = new ArrayList<>();
        int covered = 0;
        for (int s = 0, n = random.nextInt(6); s < n; s++) {
            int offset = switch (random.nextInt(14)) {
                case 0 -> -1 - random.nextInt(3); // after the first span: backwards
                case 1 -> (random.nextBoolean() ? 1 : -1) * (NativeBuckets.MAX_ABS_INDEX - random.nextInt(3));
                case 2 -> 100 + random.nextInt(200); // a two-byte offset
                default -> s == 0 ? random.nextInt(21) - 10 : random.nextInt(4);
            };
            int length = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(random.nextInt(8) == 0 ? 150 : 8);
            spans.add(new int[] {offset, length});
            covered += length;
        }
        int deltas = switch (random.nextInt(12)) {
            case 0 -> Math.max(0, covered - 1 - random.nextInt(2));
            case 1 -> covered + 1 + random.nextInt(2);
            default -> covered;
        };
        long[] values = new long[deltas];
        long previous = 0;
        for (int i = 0; i < deltas; i++) {
            long count = random.nextInt(40) == 0 ? -1 : random.nextInt(3) == 0 ? 0 : random.nextInt(random.nextInt(5) == 0 ? 1000 : 6);
            values[i] = count - previous;
            previous = count;
            if (random.nextInt(60) == 0) {
                values[i] = LARGE[random.nextInt(LARGE.length)];
            }
        }
        int spansFirst = switch (random.nextInt(6)) {
            case 0 -> 0; // every span after the deltas
            case 1 -> random.nextInt(spans.size() + 1); // some before, some after
            default -> spans.size();
        };
        int split = random.nextInt(6) == 0 ? random.nextInt(deltas + 1) : deltas; // a second run of deltas
        boolean packed = random.nextInt(4) == 0;
        writeSpans(out, spanField, spans.subList(0, spansFirst));
        writeDeltas(out, deltaField, Arrays.copyOfRange(values, 0, split), packed);
        if (split < deltas && random.nextBoolean()) {
            out.writeSInt32(Histogram.SCHEMA_FIELD_NUMBER, 3); // another field between the runs
        }
        writeDeltas(out, deltaField, Arrays.copyOfRange(values, split, deltas), packed);
        writeSpans(out, spanField, spans.subList(spansFirst, spans.size()));
    }

    private static void writeSpans(CodedOutputStream out, int field, List<int[]> spans) throws IOException {
        for (int[] span : spans) {
            out.writeMessage(field, BucketSpan.newBuilder().setOffset(span[0]).setLength(span[1]).build());
        }
    }

    private static void writeDeltas(CodedOutputStream out, int field, long[] deltas, boolean packed) throws IOException {
        if (deltas.length == 0) {
            return;
        }
        if (!packed) {
            for (long delta : deltas) {
                out.writeSInt64(field, delta);
            }
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream p = CodedOutputStream.newInstance(bytes);
        for (long delta : deltas) {
            p.writeSInt64NoTag(delta);
        }
        p.flush();
        out.writeByteArray(field, bytes.toByteArray());
    }

    private static byte[] field(int number, byte[] contents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(number, contents);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
