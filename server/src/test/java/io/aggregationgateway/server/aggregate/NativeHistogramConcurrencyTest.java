package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeHistogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Concurrent pushes to one native series: nothing lost, and no read ever sees half a merge. */
class NativeHistogramConcurrencyTest {

    @Test
    void concurrentPushesAddUpAndReadsStayConsistent() throws Exception {
        int threads = 8;
        int pushesPerThread = 300;
        Aggregator aggregator = new Aggregator();
        aggregator.push(NativeHistogramMergeTest.push(MetricType.HISTOGRAM,
                NativeHistogramPropertyTest.histogram(List.of(1.0), 8, 0x1p-128)));
        // a scrape's cells are copies: each read takes a new copy
        Supplier<NativeHistogramCell> cell = () -> (NativeHistogramCell) aggregator.families().get(0).series().get(0);
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            Future<Integer> reader = pool.submit(() -> {
                int reads = 0;
                while (!done.get()) {
                    NativeHistogram h = cell.get().read();
                    double inBuckets = h.zeroCount() + h.positive().total() + h.negative().total();
                    if (inBuckets != h.count()) {
                        throw new AssertionError("read half a merge: count " + h.count() + ", buckets " + inBuckets);
                    }
                    reads++;
                }
                return reads;
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                writers.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < pushesPerThread; i++) {
                        List<Double> observations = List.of(random.nextDouble() * 10, -random.nextDouble(), 0.0);
                        aggregator.push(NativeHistogramMergeTest.push(MetricType.HISTOGRAM,
                                NativeHistogramPropertyTest.histogram(observations, random.nextInt(9) - 4, 0x1p-128)));
                    }
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
        NativeHistogram h = cell.get().read();
        assertEquals(1 + 3.0 * threads * pushesPerThread, h.count());
        assertEquals(threads * pushesPerThread, h.zeroCount());
        assertEquals(ExponentialBuckets.MIN_SCHEMA, h.schema());
    }
}
