package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.SeriesView;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many threads pushing the same series lose nothing; scrapes meanwhile never see a half-merged histogram. */
class ConcurrentPushTest {
    private static final int THREADS = 8;
    private static final int PUSHES_PER_THREAD = 2_000;

    @Test
    void concurrentPushesLoseNothingAndScrapesStayConsistent() throws Exception {
        Aggregator aggregator = new Aggregator();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        AtomicBoolean pushing = new AtomicBoolean(true);
        AtomicInteger scrapes = new AtomicInteger();
        try {
            Future<String> scraper = pool.submit(() -> {
                while (pushing.get()) {
                    for (FamilyView family : aggregator.families()) {
                        for (SeriesView cell : family.series()) {
                            if (cell instanceof HistogramCell h) {
                                String problem = inconsistency(h.read());
                                if (problem != null) {
                                    return problem;
                                }
                            }
                        }
                    }
                    scrapes.incrementAndGet();
                }
                return null;
            });
            List<Future<?>> pushers = new java.util.ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                pushers.add(pool.submit(() -> {
                    for (int i = 0; i < PUSHES_PER_THREAD; i++) {
                        // alternate bucket layouts so the union rule runs concurrently too
                        double[] bounds = (i + thread) % 2 == 0
                                ? new double[] {0.1, 1, Double.POSITIVE_INFINITY}
                                : new double[] {0.5, Double.POSITIVE_INFINITY};
                        double[] counts = bounds.length == 3 ? new double[] {0, 1, 1} : new double[] {1, 1};
                        aggregator.push(new Push(Labels.of("job", "load"), List.of(
                                new MetricFamily("ops_total", MetricType.COUNTER, "",
                                        List.of(new ScalarSample(Labels.EMPTY, 1))),
                                new MetricFamily("latency", MetricType.HISTOGRAM, "",
                                        List.of(new ClassicHistogram(Labels.EMPTY, bounds, counts, 1.0, 0.25))))));
                    }
                    return null;
                }));
            }
            for (Future<?> f : pushers) {
                f.get(60, TimeUnit.SECONDS);
            }
            pushing.set(false);
            assertEquals(null, scraper.get(60, TimeUnit.SECONDS));
            assertTrue(scrapes.get() > 0);
        } finally {
            pool.shutdownNow();
        }

        List<FamilyView> families = aggregator.families();
        HistogramValues h = ((HistogramCell) families.get(0).series().get(0)).read();
        ScalarView ops = (ScalarView) families.get(1).series().get(0);
        int total = THREADS * PUSHES_PER_THREAD;
        assertEquals(total, ops.value());
        assertEquals(total, h.count());
        assertEquals(total * 0.25, h.sum());
        assertEquals(total, h.cumulative()[h.cumulative().length - 1]);
        assertEquals(null, inconsistency(h));
    }

    private static String inconsistency(HistogramValues h) {
        double[] c = h.cumulative();
        if (c[c.length - 1] != h.count()) {
            return "+Inf bucket " + c[c.length - 1] + " != count " + h.count();
        }
        for (int i = 1; i < c.length; i++) {
            if (c[i] < c[i - 1]) {
                return "buckets not cumulative";
            }
        }
        return h.sum() == h.count() * 0.25 ? null : "sum " + h.sum() + " disagrees with count " + h.count();
    }
}
