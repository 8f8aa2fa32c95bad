package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random observations split across several pushers, each with its own random schema (and, in the
 * second property, its own zero threshold), each pushing its histogram in several parts in random
 * order: the merged histogram must be the histogram of all observations at the coarsest schema.
 *
 * <p>The base seed is random per run and printed on failure; rerun one with
 * {@code -Dnative.seed=<seed>}.
 */
class NativeHistogramPropertyTest {
    private static final int ITERATIONS = 300;
    private static final double[] THRESHOLDS = {0, 0x1p-128, 1e-9, 0.001, 0.01, 0.3};

    @Test
    void mergedEqualsTheHistogramOfAllObservationsAtTheCoarsestSchema() {
        run(false);
    }

    @Test
    void withDifferentZeroThresholdsTheWidestWinsWidenedToABucketBoundary() {
        run(true);
    }

    private static void run(boolean ownThresholds) {
        long base = Long.getLong("native.seed", new Random().nextLong());
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i;
            try {
                check(new Random(seed), ownThresholds);
            } catch (Throwable t) {
                fail("failed with seed " + seed + " (-Dnative.seed=" + seed + "): " + t, t);
            }
        }
    }

    private static void check(Random random, boolean ownThresholds) throws Exception {
        double sharedThreshold = THRESHOLDS[random.nextInt(THRESHOLDS.length)];
        int pushers = 1 + random.nextInt(5);
        List<NativeHistogram> pushes = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        int coarsest = ExponentialBuckets.MAX_SCHEMA;
        double widestThreshold = 0;
        for (int p = 0; p < pushers; p++) {
            int schema = ExponentialBuckets.MIN_SCHEMA + random.nextInt(ExponentialBuckets.MAX_SCHEMA - ExponentialBuckets.MIN_SCHEMA + 1);
            double threshold = ownThresholds ? THRESHOLDS[random.nextInt(THRESHOLDS.length)] : sharedThreshold;
            coarsest = Math.min(coarsest, schema);
            widestThreshold = Math.max(widestThreshold, threshold);
            for (int part = 1 + random.nextInt(3); part > 0; part--) {
                List<Double> observations = observations(random);
                all.addAll(observations);
                pushes.add(histogram(observations, schema, threshold));
            }
        }
        Collections.shuffle(pushes, random);
        NativeHistogram merged = NativeHistogramMergeTest.merged(MetricType.HISTOGRAM, pushes.toArray(NativeHistogram[]::new));

        assertEquals(coarsest, merged.schema());
        double threshold = merged.zeroThreshold();
        assertTrue(threshold >= widestThreshold, "threshold " + threshold + " below " + widestThreshold);
        if (!ownThresholds) {
            assertEquals(sharedThreshold, threshold);
        }
        NativeHistogram expected = histogram(all, coarsest, threshold);
        assertEquals(expected.sum(), merged.sum(), 1e-9 * (1 + Math.abs(expected.sum())), "sum");
        assertEquals(NativeHistogramBuilder.describe(withSum(expected, merged.sum())), NativeHistogramBuilder.describe(merged));
    }

    /** Mostly spread over many orders of magnitude, some exact zeros and some tiny values, either sign. */
    private static List<Double> observations(Random random) {
        List<Double> out = new ArrayList<>();
        for (int n = random.nextInt(40); n > 0; n--) {
            double magnitude = switch (random.nextInt(10)) {
                case 0 -> 0;
                case 1 -> Math.pow(10, -15 + 10 * random.nextDouble());
                default -> Math.exp(-10 + 20 * random.nextDouble());
            };
            out.add(random.nextInt(4) == 0 ? -magnitude : magnitude);
        }
        return out;
    }

    /** The histogram a client with this schema and zero threshold would push after these observations. */
    static NativeHistogram histogram(List<Double> observations, int schema, double zeroThreshold) {
        TreeMap<Integer, Double> positive = new TreeMap<>();
        TreeMap<Integer, Double> negative = new TreeMap<>();
        double zeroCount = 0;
        double sum = 0;
        for (double v : observations) {
            sum += v;
            if (Math.abs(v) <= zeroThreshold) {
                zeroCount++;
            } else {
                (v > 0 ? positive : negative).merge(indexOf(Math.abs(v), schema), 1.0, Double::sum);
            }
        }
        return new NativeHistogram(Labels.EMPTY, schema, zeroThreshold, zeroCount, observations.size(), sum,
                buckets(positive), buckets(negative), false, null);
    }

    /** The bucket holding {@code v > 0}: the index with {@code lowerBound < v <= upperBound}. */
    static int indexOf(double v, int schema) {
        int index = (int) Math.ceil(Math.log(v) / Math.log(2) * Math.pow(2, schema));
        while (ExponentialBuckets.upperBound(index, schema) < v) {
            index++;
        }
        while (ExponentialBuckets.lowerBound(index, schema) >= v) {
            index--;
        }
        return index;
    }

    private static NativeBuckets buckets(TreeMap<Integer, Double> counts) {
        int[] indices = new int[counts.size()];
        double[] values = new double[counts.size()];
        int i = 0;
        for (var entry : counts.entrySet()) {
            indices[i] = entry.getKey();
            values[i++] = entry.getValue();
        }
        return new NativeBuckets(indices, values);
    }

    private static NativeHistogram withSum(NativeHistogram h, double sum) {
        return new NativeHistogram(h.labels(), h.schema(), h.zeroThreshold(), h.zeroCount(), h.count(), sum,
                h.positive(), h.negative(), h.floatCounts(), h.classic());
    }
}
