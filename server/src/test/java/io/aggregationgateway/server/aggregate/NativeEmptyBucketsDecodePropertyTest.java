package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.server.ingest.ProtobufDecoder;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A decoder that leaves out empty native buckets ({@code new ProtobufDecoder(max, true)}, the
 * server's) must give the engine nothing it would tell apart from the buckets as sent: random
 * native histograms, valid and not (overlapping spans, indices beyond the engine's range, negative,
 * NaN and infinite counts, zero buckets that swallow buckets, counts below the buckets' total), are
 * decoded both ways and pushed, twice each, into two engines: both must refuse with the same
 * message, or both keep the same histogram.
 *
 * <p>The server's decoder also marks the integer sides it has checked
 * ({@link NativeBuckets#checked}, with their counts' sum) for the engine to take without checking
 * each bucket again; a second property pushes counts of every size, up to totals that a double
 * cannot hold exactly or a {@code long} cannot hold at all, with sample counts just below, at and
 * above the buckets' total.
 *
 * <p>The base seed is random per run and printed on failure; rerun one with
 * {@code -Dnative.seed=<seed>}.
 */
class NativeEmptyBucketsDecodePropertyTest {
    private static final int ITERATIONS = 1500;
    private static final double[] THRESHOLDS = {0, 0x1p-128, 0.001, 0.3, 4};
    private static final double[] ODD_COUNTS = {0, -0.0, -1, Double.NaN, Double.POSITIVE_INFINITY, 0.5, 1e300};

    private final ProtobufDecoder asSent = new ProtobufDecoder(Integer.MAX_VALUE, false);
    private final ProtobufDecoder withoutEmpty = new ProtobufDecoder(Integer.MAX_VALUE, true);

    @Test
    void theEngineCannotTellTheTwoDecodingsApart() {
        long base = Long.getLong("native.seed", new Random().nextLong());
        int accepted = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i;
            try {
                accepted += check(new Random(seed), NativeEmptyBucketsDecodePropertyTest::randomHistogram);
            } catch (Throwable t) {
                fail("failed with seed " + seed + " (-Dnative.seed=" + seed + "): " + t, t);
            }
        }
        // the generator must reach both outcomes often, or the property says little
        assertTrue(accepted > ITERATIONS / 4 && accepted < 2 * ITERATIONS - ITERATIONS / 4, accepted + " pushes accepted");
    }

    @Test
    void checkedBucketsOfAnySizeTotalAsTheEngineSumsThem() {
        long base = Long.getLong("native.seed", new Random().nextLong());
        int accepted = 0;
        int checked = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i;
            try {
                Random random = new Random(seed);
                accepted += check(random, NativeEmptyBucketsDecodePropertyTest::largeCountsHistogram);
                byte[] body = body(largeCountsHistogram(random));
                NativeHistogram decoded = (NativeHistogram) withoutEmpty.decodeDelimited(body, 0, body.length)
                        .get(0).series().get(0);
                checked += decoded.positive().isChecked() ? 1 : 0;
            } catch (Throwable t) {
                fail("failed with seed " + seed + " (-Dnative.seed=" + seed + "): " + t, t);
            }
        }
        // both outcomes must come often, and the decoder must have checked the sides, or the property says little
        assertTrue(accepted > ITERATIONS / 4 && accepted < 2 * ITERATIONS - ITERATIONS / 4, accepted + " pushes accepted");
        assertEquals(ITERATIONS, checked, "sides checked by the decoder");
    }

    /** Two pushes of random native histograms into both engines; returns how many were accepted. */
    private int check(Random random, Function<Random, Histogram> histograms) throws PushRejectedException {
        Aggregator a = new Aggregator();
        Aggregator b = new Aggregator();
        int accepted = 0;
        for (int push = 0; push < 2; push++) {
            byte[] body = body(histograms.apply(random));
            String refusedA = push(a, asSent, body);
            String refusedB = push(b, withoutEmpty, body);
            assertEquals(refusedA, refusedB, "rejection");
            if (refusedA == null) {
                accepted++;
            }
            if (!a.families().isEmpty()) {
                assertEquals(NativeHistogramBuilder.describe(stored(a)), NativeHistogramBuilder.describe(stored(b)));
            } else {
                assertTrue(b.families().isEmpty());
            }
        }
        return accepted;
    }

    private static NativeHistogram stored(Aggregator aggregator) {
        return ((NativeHistogramCell) aggregator.families().get(0).series().get(0)).read();
    }

    /** The rejection's message, or {@code null} when the push was accepted. */
    private static String push(Aggregator aggregator, ProtobufDecoder decoder, byte[] body) {
        try {
            aggregator.push(new Push(Labels.of("job", "j"), decoder.decodeDelimited(body, 0, body.length)));
            return null;
        } catch (PushRejectedException e) {
            return e.reason() + ": " + e.getMessage();
        }
    }

    private static Histogram randomHistogram(Random random) {
        boolean floats = random.nextInt(3) == 0;
        Histogram.Builder h = Histogram.newBuilder();
        h.setSchema(random.nextInt(20) == 0 ? 9 : random.nextInt(13) - 4);
        double threshold = THRESHOLDS[random.nextInt(THRESHOLDS.length)];
        h.setZeroThreshold(threshold);
        int zeroCount = random.nextInt(3);
        if (floats) {
            h.setZeroCountFloat(zeroCount);
        } else {
            h.setZeroCount(zeroCount);
        }
        double total = zeroCount + side(random, floats, h, true) + side(random, floats, h, false);
        if (h.getPositiveSpanCount() == 0 && h.getNegativeSpanCount() == 0) {
            h.addPositiveSpan(BucketSpan.newBuilder().setOffset(0).setLength(0)); // native even when empty
        }
        double count = switch (random.nextInt(8)) {
            case 0 -> Math.max(0, total - 1); // fewer than the buckets hold
            case 1 -> total + 2;
            default -> total;
        };
        if (floats) {
            h.setSampleCountFloat(count + 0.5);
        } else {
            h.setSampleCount((long) Math.max(0, count));
        }
        h.setSampleSum(random.nextInt(100));
        return h.build();
    }

    /**
     * Spans of one side with their deltas or counts, mostly ascending with gaps full of empty
     * buckets as client_java sends them, sometimes going backwards or beyond the engine's index
     * range; returns the total of the counts (NaN and infinities included).
     */
    private static double side(Random random, boolean floats, Histogram.Builder h, boolean positive) {
        int spans = random.nextInt(5);
        double total = 0;
        long previous = 0;
        for (int s = 0; s < spans; s++) {
            int offset = switch (random.nextInt(12)) {
                case 0 -> -1 - random.nextInt(3); // after the first span: backwards
                case 1 -> s == 0 ? (random.nextBoolean() ? 1 : -1) * (NativeBuckets.MAX_ABS_INDEX - random.nextInt(3)) : 0;
                default -> s == 0 ? random.nextInt(21) - 10 : random.nextInt(4);
            };
            int length = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(6);
            BucketSpan span = BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
            if (positive) {
                h.addPositiveSpan(span);
            } else {
                h.addNegativeSpan(span);
            }
            for (int i = 0; i < length; i++) {
                if (floats) {
                    double c = random.nextInt(10) == 0 ? ODD_COUNTS[random.nextInt(ODD_COUNTS.length)]
                            : random.nextInt(3) == 0 ? 0 : random.nextInt(8) * 0.25;
                    total += c;
                    if (positive) {
                        h.addPositiveCount(c);
                    } else {
                        h.addNegativeCount(c);
                    }
                } else {
                    long c = random.nextInt(20) == 0 ? -1 : random.nextInt(3) == 0 ? 0 : random.nextInt(6);
                    total += Math.max(c, 0);
                    if (positive) {
                        h.addPositiveDelta(c - previous);
                    } else {
                        h.addNegativeDelta(c - previous);
                    }
                    previous = c;
                }
            }
        }
        return total;
    }

    /**
     * An integer histogram of valid positive buckets, with counts of 1 to 63 bits (totals beyond
     * 2^53, where doubles round, and beyond 2^63) and a sample count just below, at or above the
     * buckets' total as the engine sums it; as client_java sends it, one span and a delta a field.
     */
    private static Histogram largeCountsHistogram(Random random) {
        Histogram.Builder h = Histogram.newBuilder().setSchema(3).setZeroThreshold(0x1p-128);
        int length = 1 + random.nextInt(8);
        h.addPositiveSpan(BucketSpan.newBuilder().setOffset(random.nextInt(21) - 10).setLength(length));
        int bits = 1 + random.nextInt(63);
        long previous = 0;
        double total = 0;
        for (int i = 0; i < length; i++) {
            long c = random.nextInt(4) == 0 ? 0 : random.nextLong() >>> (64 - bits);
            total += c;
            h.addPositiveDelta(c - previous);
            previous = c;
        }
        long count = total >= 0x1p63 ? Long.MAX_VALUE : (long) total;
        h.setSampleCount(switch (random.nextInt(4)) {
            case 0 -> Math.max(0, count - 1 - random.nextInt(3));
            case 1 -> count + 1;
            default -> count;
        });
        h.setSampleSum(random.nextInt(100));
        return h.build();
    }

    private static byte[] body(Histogram h) {
        var family = io.aggregationgateway.proto.metrics.MetricFamily.newBuilder()
                .setName("h").setType(io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM)
                .addMetric(Metric.newBuilder().addLabel(LabelPair.newBuilder().setName("a").setValue("1")).setHistogram(h))
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            family.writeDelimitedTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
