package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SeriesView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random sources count into random series of one counter, and push their running totals on random
 * schedules: POSTs of some series, PUTs of all they have, retries of the last push, refused pushes,
 * restarts (totals back to zero; what a source counted since it last pushed is lost with it). However
 * they interleave, once every source has pushed its final totals each series holds exactly what all
 * sources counted into it and pushed.
 *
 * <p>A restart is visible only as a total below the last one pushed, so after a restart a source
 * pushes each series before counting it past its last pushed total (as any source does that pushes
 * more often than it counts that much). The base seed is random per run and printed on failure;
 * rerun one with {@code -Dsources.seed=<seed>}.
 */
class SourcePropertyTest {
    private static final int ITERATIONS = 200;

    @Test
    void theSumOfEverySeriesIsWhatAllSourcesCountedIntoIt() {
        long base = Long.getLong("sources.seed", new Random().nextLong());
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i;
            try {
                check(new Random(seed));
            } catch (Throwable t) {
                fail("failed with seed " + seed + " (-Dsources.seed=" + seed + "): " + t, t);
            }
        }
    }

    /** One simulated process: its running totals, what it pushed last per series, its last push. */
    private static final class Source {
        final String name;
        final double[] totals;
        final double[] lastPushed;
        final boolean[] everPushed;
        final boolean[] restartedSincePush;
        final double[] unpushed;
        List<MetricFamily> lastPush;
        boolean lastWasPut;

        Source(String name, int series) {
            this.name = name;
            totals = new double[series];
            lastPushed = new double[series];
            everPushed = new boolean[series];
            restartedSincePush = new boolean[series];
            unpushed = new double[series];
        }
    }

    private static void check(Random random) throws PushRejectedException {
        int seriesCount = 1 + random.nextInt(5);
        int sourceCount = 1 + random.nextInt(6);
        SourceHarness engine = new SourceHarness();
        double[] counted = new double[seriesCount];
        List<Source> sources = new ArrayList<>();
        for (int s = 0; s < sourceCount; s++) {
            sources.add(new Source("s" + s, seriesCount));
        }
        int steps = 20 + random.nextInt(200);
        for (int step = 0; step < steps; step++) {
            Source source = sources.get(random.nextInt(sourceCount));
            int action = random.nextInt(10);
            if (action < 4) {
                count(random, source, counted);
            } else if (action < 6) {
                push(engine, source, someSeries(random, source), false);
            } else if (action < 7) {
                push(engine, source, allPushedOrCounted(source), true);
            } else if (action < 8 && source.lastPush != null) {
                retry(engine, source);
            } else if (action < 9) {
                refusedPush(engine, source);
            } else {
                restart(source, counted);
            }
        }
        for (Source source : sources) {
            push(engine, source, allPushedOrCounted(source), random.nextBoolean());
        }
        double[] stored = stored(engine, seriesCount);
        for (int i = 0; i < seriesCount; i++) {
            assertEquals(counted[i], stored[i], "series x=" + i);
        }
    }

    private static void count(Random random, Source source, double[] counted) {
        int i = random.nextInt(source.totals.length);
        double amount = random.nextInt(20);
        if (source.restartedSincePush[i] && source.lastPushed[i] > 0) {
            // stay below the last pushed total until this series is pushed, so the restart shows
            amount = Math.min(amount, Math.max(0, source.lastPushed[i] - 1 - source.totals[i]));
        }
        source.totals[i] += amount;
        source.unpushed[i] += amount;
        counted[i] += amount;
    }

    private static void restart(Source source, double[] counted) {
        for (int i = 0; i < source.totals.length; i++) {
            counted[i] -= source.unpushed[i];
            source.unpushed[i] = 0;
            source.totals[i] = 0;
            source.restartedSincePush[i] = true;
        }
    }

    private static List<Integer> someSeries(Random random, Source source) {
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < source.totals.length; i++) {
            if (random.nextBoolean()) {
                picked.add(i);
            }
        }
        return picked;
    }

    /** What a PUT carries: every series the source has (a registry pushes itself whole). */
    private static List<Integer> allPushedOrCounted(Source source) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < source.totals.length; i++) {
            if (source.everPushed[i] || source.totals[i] > 0 || source.restartedSincePush[i]) {
                all.add(i);
            }
        }
        return all;
    }

    private static void push(SourceHarness engine, Source source, List<Integer> which, boolean put) throws PushRejectedException {
        List<Series> series = new ArrayList<>();
        for (int i : which) {
            series.add(new ScalarSample(Labels.of("x", String.valueOf(i)), source.totals[i]));
        }
        List<MetricFamily> families = List.of(new MetricFamily("c_total", MetricType.COUNTER, "", series));
        if (put) {
            engine.put(source.name, families);
        } else {
            engine.post(source.name, families);
        }
        for (int i : which) {
            source.lastPushed[i] = source.totals[i];
            source.everPushed[i] = true;
            source.restartedSincePush[i] = false;
            source.unpushed[i] = 0;
        }
        source.lastPush = families;
        source.lastWasPut = put;
    }

    /** The last push again, as a client does when it did not see the answer. */
    private static void retry(SourceHarness engine, Source source) throws PushRejectedException {
        if (source.lastWasPut) {
            engine.put(source.name, source.lastPush);
        } else {
            engine.post(source.name, source.lastPush);
        }
    }

    /** A push with the source's current totals and one bad value: refused, it must change nothing. */
    private static void refusedPush(SourceHarness engine, Source source) {
        List<Series> series = new ArrayList<>();
        for (int i = 0; i < source.totals.length; i++) {
            series.add(new ScalarSample(Labels.of("x", String.valueOf(i)), source.totals[i]));
        }
        series.add(new ScalarSample(Labels.of("x", "bad"), Double.NaN));
        assertThrows(PushRejectedException.class,
                () -> engine.post(source.name, List.of(new MetricFamily("c_total", MetricType.COUNTER, "", series))));
    }

    private static double[] stored(SourceHarness engine, int seriesCount) {
        double[] values = new double[seriesCount];
        engine.aggregator.families().forEach(family -> {
            for (SeriesView view : family.series()) {
                values[Integer.parseInt(view.labels().get("x"))] = ((ScalarView) view).value();
            }
        });
        return values;
    }
}
