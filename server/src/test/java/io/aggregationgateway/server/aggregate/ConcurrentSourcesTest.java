package io.aggregationgateway.server.aggregate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sources pushing at once, PUTs that forget gauge series (which merge under the write lock) among
 * them, while scrapes, summaries and expiry sweeps run: nothing is lost, nothing counted twice,
 * nothing deadlocks.
 */
class ConcurrentSourcesTest {
    @Test
    void concurrentSourcesAddUpExactly() throws Exception {
        int sources = 6;
        int pushes = 300;
        SourceHarness engine = new SourceHarness();
        ExecutorService pool = Executors.newFixedThreadPool(sources + 1);
        AtomicBoolean done = new AtomicBoolean();
        try {
            Future<Integer> reader = pool.submit(() -> {
                int reads = 0;
                while (!done.get()) {
                    engine.exposition();
                    engine.aggregator.sourceSummaries();
                    engine.aggregator.expireSources();
                    reads++;
                }
                return reads;
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int s = 0; s < sources; s++) {
                String name = "s" + s;
                writers.add(pool.submit(() -> {
                    for (int i = 1; i <= pushes; i++) {
                        // running totals i and 2i; a gauge series that comes and goes with each PUT
                        String body = "# TYPE c_total counter\nc_total{k=\"a\"} " + i + "\nc_total{k=\"b\"} " + (2 * i) + "\n"
                                + "# TYPE g_sum gauge\ng_sum{k=\"" + (i % 2) + "\"} 1\n";
                        if (i % 3 == 0) {
                            engine.put(name, body);
                        } else {
                            engine.post(name, body);
                        }
                    }
                    engine.put(name, "# TYPE c_total counter\nc_total{k=\"a\"} " + pushes + "\nc_total{k=\"b\"} " + (2 * pushes)
                            + "\n# TYPE g_sum gauge\ng_sum{k=\"last\"} 1\n");
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            done.set(true);
            assertTrue(reader.get(10, TimeUnit.SECONDS) > 0);
        } finally {
            pool.shutdownNow();
        }
        assertEquals("""
                # TYPE c_total counter
                c_total{job="api",k="a"} %d
                c_total{job="api",k="b"} %d
                # TYPE g_sum gauge
                g_sum{job="api",k="last"} %d
                """.formatted(sources * pushes, 2 * sources * pushes, sources), engine.exposition());
        assertEquals(sources, engine.aggregator.liveSources());
        assertEquals(3L * sources, engine.aggregator.sourceStates());
        assertEquals(3, engine.aggregator.seriesCount(), "the gauge series the PUTs dropped were removed");
    }
}
