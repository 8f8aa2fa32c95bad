package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.aggregationgateway.server.aggregate.NativeHistogramBuilder.nh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The byte budget counts exactly what the store holds, refuses with 429 what would not fit, and gives back on removal. */
class StoreBudgetTest {
    private static final double INF = Double.POSITIVE_INFINITY;
    private final AtomicLong now = new AtomicLong(1_000_000);

    private Aggregator engine(long maxStoreBytes) {
        return new Aggregator(new EngineSettings("", 1_000_000, 64, 1 << 20, Duration.ofSeconds(10), maxStoreBytes), now::get);
    }

    @Test
    void theBudgetCountsFamiliesSeriesAndGrowingHistogramsExactly() throws Exception {
        Aggregator aggregator = engine(Long.MAX_VALUE);
        ScalarSample a = new ScalarSample(Labels.of("k", "a"), 1);
        ScalarSample b = new ScalarSample(Labels.of("k", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), 1);
        aggregator.push(push(new MetricFamily("c_total", MetricType.COUNTER, "", List.of(a, b))));
        long counters = Footprint.ofFamily("c_total", "") + Footprint.ofNewSeries(a) + Footprint.ofNewSeries(b);
        assertEquals(counters, aggregator.storeBytes());

        aggregator.push(push(new MetricFamily("c_total", MetricType.COUNTER, "Jobs done.", List.of(a))));
        long withHelp = counters - Footprint.ofFamily("c_total", "") + Footprint.ofFamily("c_total", "Jobs done.");
        assertEquals(withHelp, aggregator.storeBytes(), "a counter update adds nothing; the help is counted once");

        ClassicHistogram first = new ClassicHistogram(Labels.EMPTY, new double[] {1, INF}, new double[] {1, 1}, 1.0, 1.0);
        aggregator.push(push(new MetricFamily("h", MetricType.HISTOGRAM, "", List.of(first))));
        long histogram = Footprint.ofFamily("h", "") + Footprint.ofNewSeries(first);
        assertEquals(withHelp + histogram, aggregator.storeBytes());
        aggregator.push(push(new MetricFamily("h", MetricType.HISTOGRAM, "", List.of(new ClassicHistogram(Labels.EMPTY,
                new double[] {0.5, 2, 3, INF}, new double[] {0, 1, 1, 1}, 1.0, 1.0)))));
        long grown = Footprint.classicCell(5) - Footprint.classicCell(2);
        assertEquals(withHelp + histogram + grown, aggregator.storeBytes(), "three new bounds");

        aggregator.push(push(new MetricFamily("n", MetricType.HISTOGRAM, "", List.of(nh(0).pos(1, 1).build()))));
        aggregator.push(push(new MetricFamily("n", MetricType.HISTOGRAM, "", List.of(nh(0).pos(5, 1, 9, 2).neg(3, 1).build()))));
        long nativeBytes = Footprint.ofFamily("n", "") + Footprint.SERIES_ENTRY + Footprint.labels(Labels.EMPTY)
                + Footprint.nativeCell(nh(0).pos(1, 1, 5, 1, 9, 2).neg(3, 1).count(5).build());
        assertEquals(withHelp + histogram + grown + nativeBytes, aggregator.storeBytes());

        assertEquals(1, aggregator.delete(Labels.of("k", "a")));
        assertEquals(withHelp + histogram + grown + nativeBytes - Footprint.ofNewSeries(a), aggregator.storeBytes());
        assertEquals(3, aggregator.delete(Labels.EMPTY));
        assertEquals(0, aggregator.storeBytes(), "everything given back");
        assertEquals(0, aggregator.seriesCount());
    }

    @Test
    void deletingAFamilyGivesBackItsBytesAndFreesItsNames() throws Exception {
        Aggregator aggregator = engine(Long.MAX_VALUE);
        ScalarSample kept = new ScalarSample(Labels.of("k", "kept"), 1);
        aggregator.push(push(new MetricFamily("c_total", MetricType.COUNTER, "", List.of(kept))));
        long counter = aggregator.storeBytes();
        ClassicHistogram first = new ClassicHistogram(Labels.EMPTY, new double[] {1, INF}, new double[] {1, 1}, 1.0, 1.0);
        aggregator.push(push(new MetricFamily("h", MetricType.HISTOGRAM, "help", List.of(first))));

        assertEquals(1, aggregator.deleteFamily("h"));
        assertEquals(counter, aggregator.storeBytes(), "the histogram family's bytes given back");
        assertEquals(1, aggregator.seriesCount());
        // h_bucket was one of the deleted histogram's names: free now
        aggregator.push(push(new MetricFamily("h_bucket", MetricType.UNTYPED, "", List.of(kept))));
        assertEquals(counter + Footprint.ofFamily("h_bucket", "") + Footprint.ofNewSeries(kept), aggregator.storeBytes());
    }

    @Test
    void aSourcesGaugeCellIsCountedOnceAndGivenBackWhenItsLastSourceGoes() throws Exception {
        SourceHarness engine = new SourceHarness();
        engine.post("a", "# TYPE c_total counter\nc_total 1\n");
        long counter = engine.aggregator.storeBytes();
        engine.post("a", "# TYPE g_sum gauge\ng_sum 1\n");
        long gauge = Footprint.ofFamily("g_sum", "") + Footprint.ofNewSeries(new ScalarSample(Labels.of("job", "api"), 1), true);
        assertEquals(counter + gauge, engine.aggregator.storeBytes());
        assertEquals(Footprint.GAUGE_CELL - Footprint.SCALAR_CELL, gauge - Footprint.ofFamily("g_sum", "")
                - Footprint.ofNewSeries(new ScalarSample(Labels.of("job", "api"), 1)));
        for (String source : List.of("b", "c", "d")) {
            engine.post(source, "# TYPE g_sum gauge\ng_sum 2\n");
        }
        assertEquals(counter + gauge, engine.aggregator.storeBytes(), "more sources' values are their states, not the store's");

        for (String source : List.of("a", "b", "c", "d")) {
            engine.deleteSource(source);
        }
        assertEquals(counter, engine.aggregator.storeBytes(), "the gauge series and its family went with their last source");
        assertEquals(1, engine.aggregator.seriesCount());
    }

    @Test
    void expiryAndResetGiveEverythingBack() throws Exception {
        Aggregator aggregator = engine(Long.MAX_VALUE);
        aggregator.push(push(new MetricFamily("g", MetricType.GAUGE, "help", List.of(new ScalarSample(Labels.of("a", "1"), 1)))));
        now.addAndGet(11_000);
        assertEquals(1, aggregator.expire());
        assertEquals(0, aggregator.storeBytes());
        aggregator.push(push(new MetricFamily("g", MetricType.GAUGE, "help", List.of(new ScalarSample(Labels.of("a", "1"), 1)))));
        assertTrue(aggregator.storeBytes() > 0);
        aggregator.reset();
        assertEquals(0, aggregator.storeBytes());
    }

    @Test
    void aPushThatWouldTakeTheStoreOverItsBudgetIsRefusedWhole() throws Exception {
        ScalarSample first = new ScalarSample(Labels.of("k", "first"), 1);
        long oneSeries = Footprint.ofFamily("c_total", "") + Footprint.ofNewSeries(first);
        Aggregator aggregator = engine(oneSeries + Footprint.ofNewSeries(first) / 2);
        aggregator.push(push(new MetricFamily("c_total", MetricType.COUNTER, "", List.of(first))));
        String before = aggregator.families().toString();

        PushRejectedException e = assertThrows(PushRejectedException.class, () -> aggregator.push(push(
                new MetricFamily("c_total", MetricType.COUNTER, "", List.of(first, new ScalarSample(Labels.of("k", "other"), 1))))));
        assertEquals(RejectionReason.LIMIT_EXCEEDED, e.reason());
        assertTrue(e.getMessage().startsWith("push refused: it needs about " + Footprint.ofNewSeries(new ScalarSample(
                Labels.of("k", "other"), 1)) + " bytes more of the store's memory, over its budget of "), e.getMessage());
        assertTrue(e.getMessage().contains("(--max-store-bytes); the store holds about " + oneSeries + "."), e.getMessage());
        assertEquals(oneSeries, aggregator.storeBytes());
        assertEquals(1, aggregator.seriesCount());

        aggregator.push(push(new MetricFamily("c_total", MetricType.COUNTER, "", List.of(first)))); // updates still land
        assertEquals(2.0, ((ScalarView) aggregator.families().get(0).series().get(0)).value());
        assertEquals(oneSeries, aggregator.storeBytes());
        assertTrue(before.startsWith("[FamilyView[name=c_total"), before);
    }

    @Test
    void aHistogramGrowingPastTheBudgetIsRefusedAndKeepsItsBuckets() throws Exception {
        ClassicHistogram first = new ClassicHistogram(Labels.EMPTY, new double[] {1, INF}, new double[] {1, 1}, 1.0, 1.0);
        long stored = Footprint.ofFamily("h", "") + Footprint.ofNewSeries(first);
        Aggregator aggregator = engine(stored + 40);
        aggregator.push(push(new MetricFamily("h", MetricType.HISTOGRAM, "", List.of(first))));
        aggregator.push(push(new MetricFamily("h", MetricType.HISTOGRAM, "", List.of(first)))); // same bounds: no growth

        PushRejectedException e = assertThrows(PushRejectedException.class, () -> aggregator.push(push(new MetricFamily("h",
                MetricType.HISTOGRAM, "", List.of(new ClassicHistogram(Labels.EMPTY, new double[] {2, 3, 4, INF},
                        new double[] {1, 1, 1, 1}, 1.0, 1.0))))));
        assertEquals(RejectionReason.LIMIT_EXCEEDED, e.reason());
        assertEquals(2, ((HistogramCell) aggregator.families().get(0).series().get(0)).read().bounds().length);
        assertEquals(2.0, ((HistogramCell) aggregator.families().get(0).series().get(0)).read().count());
        assertEquals(stored, aggregator.storeBytes());
    }

    @Test
    void concurrentPushesNeverTakeTheStoreOverItsBudget() throws Exception {
        long budget = 200_000;
        Aggregator aggregator = engine(budget);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> refusals = new ArrayList<>();
        AtomicLong highest = new AtomicLong();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                refusals.add(pool.submit(() -> {
                    int refused = 0;
                    for (int i = 0; i < 300; i++) {
                        List<io.aggregationgateway.server.model.Series> series = new ArrayList<>();
                        for (int j = 0; j < 5; j++) {
                            series.add(new ScalarSample(Labels.of("t", Integer.toString(thread), "i", i + "-" + j), 1));
                        }
                        try {
                            aggregator.push(push(new MetricFamily("f" + (i % 7) + "_total", MetricType.COUNTER, "", series)));
                        } catch (PushRejectedException e) {
                            assertEquals(RejectionReason.LIMIT_EXCEEDED, e.reason());
                            refused++;
                        }
                        highest.accumulateAndGet(aggregator.storeBytes(), Math::max);
                    }
                    return refused;
                }));
            }
            int refused = 0;
            for (Future<Integer> f : refusals) {
                refused += f.get(60, TimeUnit.SECONDS);
            }
            assertTrue(refused > 0, "the budget was reached");
        } finally {
            pool.shutdownNow();
        }
        assertTrue(highest.get() <= budget, "held " + highest.get());
        assertTrue(aggregator.storeBytes() > budget * 0.9, "filled to " + aggregator.storeBytes());
        aggregator.delete(Labels.EMPTY);
        assertEquals(0, aggregator.storeBytes());
        assertEquals(0, aggregator.seriesCount());
    }

    private static Push push(MetricFamily... families) {
        return new Push(Labels.EMPTY, List.of(families));
    }
}
