package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.ScalarView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.aggregationgateway.server.aggregate.NativeHistogramBuilder.nh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Finite pushes never add up to infinity: the push that would overflow a sum is refused whole with
 * a message naming family, series and sum, and the store stays as it was.
 */
class OverflowTest {
    private static final String MAX = "1.7976931348623157E308";
    /** A valid series that must not land when the rest of its push is rejected. */
    private static final String VALID_PREFIX = "# TYPE requests_total counter\nrequests_total{code=\"200\"} 100\n";

    static List<Arguments> overflowingPushes() {
        return List.of(
                arguments("counter", "# TYPE o_total counter\no_total 1.7e308\n", "# TYPE o_total counter\no_total 1.7e308\n",
                        "family o_total, series {}: adding 1.7E308 to the stored 1.7E308 would overflow to Infinity"
                                + " (sums must stay finite: at most " + MAX + " in magnitude)"),
                arguments("gauge, downwards", "# TYPE g gauge\ng{k=\"v\"} -1.7e308\n", "# TYPE g gauge\ng{k=\"v\"} -1e308\n",
                        "family g, series {k=\"v\"}: adding -1.0E308 to the stored -1.7E308 would overflow to -Infinity"),
                arguments("untyped", "u 1e308\n", "u 9e307\n",
                        "family u, series {}: adding 9.0E307 to the stored 1.0E308 would overflow to Infinity"),
                arguments("a small value tipping a sum at the largest double", "# TYPE m gauge\nm " + MAX + "\n",
                        "# TYPE m gauge\nm 1e292\n",
                        "family m, series {}: adding 1.0E292 to the stored " + MAX + " would overflow to Infinity"),
                arguments("histogram _sum", histogram(1, 1.5e308), histogram(1, 1e308),
                        "family h, series {}: _sum: adding 1.0E308 to the stored 1.5E308 would overflow to Infinity"),
                arguments("histogram _count", histogram(1.5e308, 1), histogram(1e308, 1),
                        "family h, series {}: _count: adding 1.0E308 to the stored 1.5E308 would overflow to Infinity"));
    }

    private static String histogram(double count, double sum) {
        return "# TYPE h histogram\nh_bucket{le=\"1\"} " + count + "\nh_bucket{le=\"+Inf\"} " + count
                + "\nh_sum " + sum + "\nh_count " + count + "\n";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overflowingPushes")
    void thePushThatWouldOverflowIsRefusedWhole(String name, String stored, String overflowing, String message)
            throws Exception {
        EngineHarness engine = new EngineHarness();
        engine.push(stored);
        String before = engine.exposition();
        long bytes = engine.aggregator.storeBytes();

        PushRejectedException e = assertThrows(PushRejectedException.class, () -> engine.push(VALID_PREFIX + overflowing));

        assertEquals(RejectionReason.INVALID_VALUE, e.reason());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(before, engine.exposition());
        assertEquals(bytes, engine.aggregator.storeBytes());
    }

    @Test
    void aNativeHistogramsCountAndSumStayFinite() throws Exception {
        Aggregator aggregator = new Aggregator();
        aggregator.push(native_(nh(0).pos(1, 1).count(1.5e308).sum(1)));
        PushRejectedException count = assertThrows(PushRejectedException.class,
                () -> aggregator.push(native_(nh(0).pos(1, 1).count(1e308).sum(1))));
        assertEquals("family h, series {}: count: adding 1.0E308 to the stored 1.5E308 would overflow to Infinity"
                + " (sums must stay finite: at most " + MAX + " in magnitude)", count.getMessage());

        Aggregator sums = new Aggregator();
        sums.push(native_(nh(0).pos(1, 1).sum(-1.5e308)));
        PushRejectedException sum = assertThrows(PushRejectedException.class,
                () -> sums.push(native_(nh(0).pos(1, 1).sum(-1e308))));
        assertTrue(sum.getMessage().startsWith("family h, series {}: sum: adding -1.0E308 to the stored -1.5E308"
                + " would overflow to -Infinity"), sum.getMessage());
        assertEquals(-1.5e308, ((NativeHistogramCell) sums.families().get(0).series().get(0)).read().sum());
    }

    private static Push native_(NativeHistogramBuilder h) {
        return new Push(Labels.EMPTY, List.of(new MetricFamily("h", MetricType.HISTOGRAM, "", List.of(h.build()))));
    }

    /** Sources' gauge values: in sum and avg they add up, so their total must stay finite; a source's new value replaces its old one. */
    @Test
    void sourcesGaugeTotalsStayFinite() throws Exception {
        SourceHarness engine = new SourceHarness();
        engine.post("a", "# TYPE g_sum gauge\ng_sum 1.7e308\n");
        engine.post("b", "# TYPE g_sum gauge\ng_sum 1e292\n");
        String before = engine.exposition();
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> engine.post("b", VALID_PREFIX + "# TYPE g_sum gauge\ng_sum 1e308\n"));
        assertEquals(RejectionReason.INVALID_VALUE, e.reason());
        assertTrue(e.getMessage().startsWith("family g_sum, series {job=\"api\"}: adding 1.0E308 to the stored 1.7"),
                e.getMessage()); // the total without b's old value
        assertTrue(e.getMessage().contains("would overflow to Infinity"), e.getMessage());
        assertEquals(before, engine.exposition());

        // a replaces its own value: 1.7e308 → 1.75e308 is no overflow, though adding it would be (b's 1e292 stays in the sum)
        engine.post("a", "# TYPE g_sum gauge\ng_sum 1.75e308\n");
        // avg divides the same total: refused alike; max never adds anything up
        engine.post("a", "# TYPE g_avg gauge\ng_avg 1.7e308\n# TYPE g_max gauge\ng_max 1.7e308\n");
        assertThrows(PushRejectedException.class, () -> engine.post("b", "# TYPE g_avg gauge\ng_avg 1.7e308\n"));
        engine.post("b", "# TYPE g_max gauge\ng_max 1.7e308\n");
        assertEquals("""
                # TYPE g_avg gauge
                g_avg{job="api"} 1.7E308
                # TYPE g_max gauge
                g_max{job="api"} 1.7E308
                # TYPE g_sum gauge
                g_sum{job="api"} 1.7500000000000002E308
                """, engine.exposition());
    }

    @Test
    void sumsUpToTheLargestDoubleStillLand() throws Exception {
        EngineHarness engine = new EngineHarness();
        engine.push("# TYPE o_total counter\no_total 1e308\n");
        engine.push("# TYPE o_total counter\no_total 7e307\n");
        engine.push("# TYPE o_total counter\no_total 1\n"); // near overflow: checked, and fine
        assertEquals(1e308 + 7e307 + 1, ((ScalarView) engine.aggregator.families().get(0).series().get(0)).value());
    }

    @Test
    void concurrentPushesToOneSeriesNeverOverflowAndLoseNothing() throws Exception {
        int threads = 8;
        int pushesPerThread = 50;
        Aggregator aggregator = new Aggregator();
        aggregator.push(counter(Labels.EMPTY, 0));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> accepted = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                accepted.add(pool.submit(() -> {
                    int landed = 0;
                    for (int i = 0; i < pushesPerThread; i++) {
                        try {
                            // one series far from overflow rides along, to show nothing of a refused push lands
                            aggregator.push(new Push(Labels.EMPTY, List.of(
                                    new MetricFamily("o_total", MetricType.COUNTER, "", List.of(new ScalarSample(Labels.EMPTY, 0.25e308))),
                                    new MetricFamily("n_total", MetricType.COUNTER, "", List.of(new ScalarSample(Labels.EMPTY, 1))))));
                            landed++;
                        } catch (PushRejectedException e) {
                            assertEquals(RejectionReason.INVALID_VALUE, e.reason());
                        }
                    }
                    return landed;
                }));
            }
            int landed = 0;
            for (Future<Integer> f : accepted) {
                landed += f.get(60, TimeUnit.SECONDS);
            }
            // the stored 0 and 7 pushes of 0.25e308 make 1.75e308; the 8th would pass the largest double
            assertEquals(7, landed);
            List<FamilyView> families = aggregator.families();
            assertEquals(7, ((ScalarView) families.get(0).series().get(0)).value());
            double expected = 0;
            for (int i = 0; i < 7; i++) {
                expected += 0.25e308;
            }
            assertEquals(expected, ((ScalarView) families.get(1).series().get(0)).value());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Push counter(Labels labels, double value) {
        return new Push(Labels.EMPTY, List.of(new MetricFamily("o_total", MetricType.COUNTER, "",
                List.of(new ScalarSample(labels, value)))));
    }
}
