package io.aggregationgateway.server.ingest;

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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random families built with the generated builders, written with {@code writeDelimitedTo}, must
 * decode to the model built alongside them; damaged bodies must be rejected, never crash.
 *
 * <p>The base seed is random per run and printed on failure; rerun one with
 * {@code -Dprotodec.seed=<seed>}.
 */
class ProtobufDecoderPropertyTest {
    private static final int ITERATIONS = 400;
    private static final String[] LABEL_NAMES = {"job", "instance", "le_x", "path", "code", "zone", "a", "b", "_c", "x1"};
    private static final String[] VALUE_PIECES = {"a", "Z", "0", "-", "_", " ", "/", "\"", "\\", "\n", "ü", "€", "日本", "🚀", "é"};
    private static final double[] SPECIAL = {0, -0.0, 1, -1, 0.5, 1e-300, 1e300, Double.MAX_VALUE, Double.MIN_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};

    private final ProtobufDecoder decoder = new ProtobufDecoder();

    @Test
    void randomFamiliesRoundTrip() {
        long base = Long.getLong("protodec.seed", new Random().nextLong());
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i;
            Random random = new Random(seed);
            List<io.aggregationgateway.proto.metrics.MetricFamily> protos = new ArrayList<>();
            List<MetricFamily> expected = new ArrayList<>();
            int families = random.nextInt(5);
            for (int f = 0; f < families; f++) {
                randomFamily(random, protos, expected);
            }
            byte[] body = ProtobufDecoderTest.delimited(protos.toArray(io.aggregationgateway.proto.metrics.MetricFamily[]::new));
            try {
                ProtobufDecoderTest.assertFamilies(expected, decoder.decodeDelimited(body, 0, body.length));
                ProtobufDecoderTest.assertFamilies(expected, decoder.convert(protos));
            } catch (Throwable t) {
                fail("failed with seed " + seed + " (-Dprotodec.seed=" + seed + "): " + t, t);
            }

            // damaged copies: cut short, or a byte changed, may decode or be rejected; nothing else
            if (body.length > 0) {
                byte[] cut = Arrays.copyOf(body, random.nextInt(body.length));
                decodeOrReject(cut, seed, true);
                byte[] flipped = body.clone();
                flipped[random.nextInt(body.length)] ^= (byte) (1 + random.nextInt(255));
                decodeOrReject(flipped, seed, false);
            }
        }
    }

    private void decodeOrReject(byte[] body, long seed, boolean truncated) {
        try {
            decoder.decodeDelimited(body, 0, body.length);
        } catch (PushRejectedException e) {
            assertTrue(e.getMessage().startsWith("message #"), () -> "seed " + seed + ": " + e.getMessage());
            if (truncated && e.reason() != RejectionReason.MALFORMED) {
                fail("seed " + seed + ": a truncated body must be MALFORMED: " + e.getMessage());
            }
        } catch (RuntimeException e) {
            fail("seed " + seed + ": damaged body crashed the decoder: " + e, e);
        }
    }

    static void randomFamily(Random random, List<io.aggregationgateway.proto.metrics.MetricFamily> protos,
                                     List<MetricFamily> expected) {
        io.aggregationgateway.proto.metrics.MetricType[] types = io.aggregationgateway.proto.metrics.MetricType.values();
        boolean typeUnset = random.nextInt(8) == 0;
        io.aggregationgateway.proto.metrics.MetricType protoType = typeUnset
                ? io.aggregationgateway.proto.metrics.MetricType.COUNTER : types[random.nextInt(types.length)];
        String name = "metric_" + random.nextInt(4) + (protoType == io.aggregationgateway.proto.metrics.MetricType.COUNTER ? "_total" : "");
        String help = random.nextBoolean() ? "" : randomValue(random) + " help";
        var family = io.aggregationgateway.proto.metrics.MetricFamily.newBuilder().setName(name);
        if (!typeUnset) {
            family.setType(protoType);
        }
        if (!help.isEmpty() || random.nextBoolean()) {
            family.setHelp(help);
        }
        if (random.nextInt(10) == 0) {
            family.setUnit("seconds");
        }
        MetricType type = switch (protoType) {
            case COUNTER -> MetricType.COUNTER;
            case GAUGE -> MetricType.GAUGE;
            case SUMMARY -> MetricType.SUMMARY;
            case UNTYPED -> MetricType.UNTYPED;
            case HISTOGRAM -> MetricType.HISTOGRAM;
            case GAUGE_HISTOGRAM -> MetricType.GAUGE_HISTOGRAM;
        };
        List<Series> series = new ArrayList<>();
        int metrics = random.nextInt(6);
        for (int m = 0; m < metrics; m++) {
            Metric.Builder metric = Metric.newBuilder();
            Labels.Builder labels = new Labels.Builder();
            List<String> names = new ArrayList<>(Arrays.asList(LABEL_NAMES));
            Collections.shuffle(names, random);
            int labelCount = random.nextInt(5);
            for (int l = 0; l < labelCount; l++) {
                String value = random.nextInt(6) == 0 ? "" : randomValue(random);
                LabelPair.Builder pair = LabelPair.newBuilder().setName(names.get(l));
                if (!value.isEmpty() || random.nextBoolean()) {
                    pair.setValue(value);
                }
                metric.addLabel(pair);
                labels.add(names.get(l), value);
            }
            Labels expectedLabels = labels.build();
            if (random.nextInt(5) == 0) {
                metric.setTimestampMs(random.nextLong());
            }
            series.add(switch (type) {
                case COUNTER -> {
                    double v = randomDouble(random);
                    Counter.Builder c = Counter.newBuilder().setValue(v);
                    if (random.nextInt(4) == 0) {
                        c.setExemplar(Exemplar.newBuilder().setValue(1).addLabel(LabelPair.newBuilder().setName("trace_id").setValue("t")));
                        c.setCreatedTimestamp(Timestamp.newBuilder().setSeconds(random.nextInt(1_000_000)));
                    }
                    metric.setCounter(c);
                    yield new ScalarSample(expectedLabels, v);
                }
                case GAUGE -> {
                    double v = randomDouble(random);
                    metric.setGauge(Gauge.newBuilder().setValue(v));
                    yield new ScalarSample(expectedLabels, v);
                }
                case UNTYPED -> {
                    double v = randomDouble(random);
                    metric.setUntyped(Untyped.newBuilder().setValue(v));
                    yield new ScalarSample(expectedLabels, v);
                }
                case SUMMARY -> {
                    long count = random.nextInt(1_000_000);
                    double sum = randomDouble(random);
                    Summary.Builder s = Summary.newBuilder().setSampleCount(count).setSampleSum(sum);
                    for (int q = random.nextInt(4); q > 0; q--) {
                        s.addQuantile(Quantile.newBuilder().setQuantile(random.nextDouble()).setValue(randomDouble(random)));
                    }
                    metric.setSummary(s);
                    yield new SummarySample(expectedLabels, (double) count, sum);
                }
                case HISTOGRAM, GAUGE_HISTOGRAM -> random.nextBoolean()
                        ? randomHistogram(random, metric, expectedLabels)
                        : randomNativeHistogram(random, metric, expectedLabels);
            });
            family.addMetric(metric);
        }
        protos.add(family.build());
        expected.add(new MetricFamily(name, type, help, series));
    }

    private static ClassicHistogram randomHistogram(Random random, Metric.Builder metric, Labels labels) {
        boolean floats = random.nextBoolean();
        boolean withInf = random.nextBoolean();
        int buckets = random.nextInt(6);
        Histogram.Builder h = Histogram.newBuilder();
        double[] bounds = new double[buckets + (withInf ? 1 : 0)];
        double[] counts = new double[bounds.length];
        double bound = -random.nextInt(3);
        double cumulative = 0;
        for (int b = 0; b < bounds.length; b++) {
            bound += random.nextDouble() * 10 + 0.001;
            bounds[b] = withInf && b == bounds.length - 1 ? Double.POSITIVE_INFINITY : bound;
            Bucket.Builder bucket = Bucket.newBuilder().setUpperBound(bounds[b]);
            if (floats) {
                cumulative += random.nextInt(4) * 0.25; // may stay 0: then the integer count (unset: 0) is used
                bucket.setCumulativeCountFloat(cumulative);
            } else {
                cumulative += random.nextInt(100);
                bucket.setCumulativeCount((long) cumulative);
            }
            counts[b] = cumulative;
            if (random.nextInt(6) == 0) {
                bucket.setExemplar(Exemplar.newBuilder().setValue(bound));
            }
            h.addBucket(bucket);
        }
        double count = cumulative + (withInf ? 0 : random.nextInt(3));
        if (floats) {
            h.setSampleCountFloat(count);
        } else {
            h.setSampleCount((long) count);
        }
        double sum = randomDouble(random);
        if (Double.doubleToRawLongBits(sum) != 0L || random.nextBoolean()) { // unset reads as +0.0, not -0.0
            h.setSampleSum(sum);
        }
        if (random.nextInt(5) == 0) {
            h.setSchema(random.nextInt(9)); // a schema alone does not make a native histogram
        }
        metric.setHistogram(h);
        return new ClassicHistogram(labels, bounds, counts, count, sum);
    }

    /**
     * A native histogram as client_golang and client_java push them: schema, zero bucket, spans
     * with deltas (integer) or counts (float), sometimes classic buckets, exemplars and a created
     * timestamp alongside. The expected model is the buckets drawn before they were encoded.
     */
    private static NativeHistogram randomNativeHistogram(Random random, Metric.Builder metric, Labels labels) {
        boolean floats = random.nextBoolean();
        Histogram.Builder h = Histogram.newBuilder();
        int schema = random.nextInt(13) - 4;
        h.setSchema(schema);
        double zeroThreshold = switch (random.nextInt(3)) {
            case 0 -> 0;
            case 1 -> 0x1p-128;
            default -> 0.001;
        };
        if (zeroThreshold != 0 || random.nextBoolean()) {
            h.setZeroThreshold(zeroThreshold);
        }
        double zeroCount = random.nextInt(3) == 0 ? 0 : floats ? random.nextInt(5) * 0.5 : random.nextInt(5);
        if (floats && (zeroCount != 0 || random.nextBoolean())) {
            h.setZeroCountFloat(zeroCount);
        } else if (!floats && (zeroCount != 0 || random.nextBoolean())) {
            h.setZeroCount((long) zeroCount);
        }
        NativeBuckets negative = randomSide(random, floats, h, false);
        NativeBuckets positive = randomSide(random, floats, h, true);
        if (positive.isEmpty() && negative.isEmpty() && (zeroCount == 0 && zeroThreshold == 0 || random.nextBoolean())) {
            h.addPositiveSpan(BucketSpan.newBuilder().setOffset(0).setLength(0)); // the no-op span: native, empty
        }
        double observed = zeroCount + positive.total() + negative.total();
        double count;
        if (floats) {
            count = observed + 0.25 * (1 + random.nextInt(3)); // positive: a float histogram for sure
            h.setSampleCountFloat(count);
        } else {
            count = observed + random.nextInt(3);
            h.setSampleCount((long) count);
        }
        double sum = randomDouble(random);
        h.setSampleSum(sum);
        ClassicHistogram classic = null;
        if (random.nextInt(3) == 0) { // client_java sends its classic buckets along
            int buckets = 1 + random.nextInt(4);
            double[] bounds = new double[buckets];
            double[] cumulative = new double[buckets];
            for (int b = 0; b < buckets; b++) {
                bounds[b] = b == buckets - 1 && random.nextBoolean() ? Double.POSITIVE_INFINITY : Math.pow(2, b - 2);
                cumulative[b] = (b == 0 ? 0 : cumulative[b - 1]) + random.nextInt(5);
                Bucket.Builder bucket = Bucket.newBuilder().setUpperBound(bounds[b]).setCumulativeCount((long) cumulative[b]);
                if (random.nextInt(5) == 0) {
                    bucket.setExemplar(Exemplar.newBuilder().setValue(bounds[b] / 2)
                            .addLabel(LabelPair.newBuilder().setName("trace_id").setValue("t" + b)));
                }
                h.addBucket(bucket);
            }
            classic = new ClassicHistogram(labels, bounds, cumulative, count, sum);
        }
        if (random.nextInt(4) == 0) {
            h.addExemplars(Exemplar.newBuilder().setValue(0.5).setTimestamp(Timestamp.newBuilder().setSeconds(1_700_000_000)));
        }
        if (random.nextInt(4) == 0) {
            h.setCreatedTimestamp(Timestamp.newBuilder().setSeconds(random.nextInt(1_000_000)).setNanos(random.nextInt(1000)));
        }
        metric.setHistogram(h);
        return new NativeHistogram(labels, schema, zeroThreshold, zeroCount, count, sum, positive, negative, floats, classic);
    }

    /**
     * Up to 5 buckets at ascending indices of one side, written as spans (one per run of
     * neighbouring buckets, sometimes split in two) with deltas or counts.
     */
    private static NativeBuckets randomSide(Random random, boolean floats, Histogram.Builder h, boolean positive) {
        int n = random.nextInt(6);
        int[] indices = new int[n];
        double[] counts = new double[n];
        int index = random.nextInt(21) - 10;
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                index += 1 + (random.nextInt(3) == 0 ? random.nextInt(4) : 0);
            }
            indices[i] = index;
            counts[i] = floats ? random.nextInt(8) * 0.25 : random.nextInt(50);
        }
        int previousEnd = 0;
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || indices[i] != indices[i - 1] + 1 || random.nextInt(4) == 0) {
                BucketSpan span = BucketSpan.newBuilder()
                        .setOffset(start == 0 ? indices[0] : indices[start] - previousEnd).setLength(i - start).build();
                if (positive) {
                    h.addPositiveSpan(span);
                } else {
                    h.addNegativeSpan(span);
                }
                previousEnd = indices[i - 1] + 1;
                start = i;
            }
        }
        long previous = 0;
        for (double count : counts) {
            if (floats) {
                if (positive) {
                    h.addPositiveCount(count);
                } else {
                    h.addNegativeCount(count);
                }
            } else {
                if (positive) {
                    h.addPositiveDelta((long) count - previous);
                } else {
                    h.addNegativeDelta((long) count - previous);
                }
                previous = (long) count;
            }
        }
        return new NativeBuckets(indices, counts);
    }

    private static double randomDouble(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> SPECIAL[random.nextInt(SPECIAL.length)];
            case 1 -> random.nextInt(10_000);
            default -> (random.nextDouble() - 0.3) * Math.pow(10, random.nextInt(20) - 10);
        };
    }

    private static String randomValue(Random random) {
        StringBuilder out = new StringBuilder();
        for (int n = 1 + random.nextInt(6); n > 0; n--) {
            out.append(VALUE_PIECES[random.nextInt(VALUE_PIECES.length)]);
        }
        return out.toString();
    }
}
