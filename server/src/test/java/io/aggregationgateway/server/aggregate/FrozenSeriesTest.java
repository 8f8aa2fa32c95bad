package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SeriesView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A large family's values read in parts on helpers: the same view as one thread's, and as whole. */
class FrozenSeriesTest {
    // just over two parts: the last part holds one cell
    private static final int SERIES = 2 * FrozenSeries.CELLS_PER_PART + 1;

    @Test
    void valuesReadOnHelpersAreTheValuesReadAlone() throws Exception {
        Aggregator aggregator = new Aggregator();
        List<Series> series = new ArrayList<>();
        for (int i = 0; i < SERIES; i++) {
            series.add(new ScalarSample(Labels.of("i", Integer.toString(i)), i));
        }
        aggregator.push(new Push(Labels.of("job", "big"), List.of(new MetricFamily("big_total", MetricType.COUNTER, "", series),
                family("small_total", 10))));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        AtomicInteger partsGiven = new AtomicInteger();
        Executor helpers = task -> {
            partsGiven.incrementAndGet();
            pool.execute(task);
        };
        try {
            List<FamilyView> alone = aggregator.families();
            List<FamilyView> helped = aggregator.families(helpers);
            assertEquals(3, partsGiven.get(), "parts of the large family; the small one is read alone");
            assertEquals(alone.size(), helped.size());
            for (int f = 0; f < alone.size(); f++) {
                List<SeriesView> expected = alone.get(f).series();
                List<SeriesView> actual = helped.get(f).series();
                assertEquals(expected.size(), actual.size());
                for (int i = 0; i < expected.size(); i++) {
                    assertEquals(expected.get(i).labels(), actual.get(i).labels());
                    assertEquals(((ScalarView) expected.get(i)).value(), ((ScalarView) actual.get(i)).value(),
                            expected.get(i).labels().toString());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every push adds 1 to every series of the family: a view read in parts shows each push wholly or not at all. */
    @Test
    void aViewReadInPartsShowsWholePushes() throws Exception {
        Aggregator aggregator = new Aggregator();
        Push push = new Push(Labels.of("job", "whole"), List.of(family("a_total", SERIES)));
        aggregator.push(push);
        ExecutorService helpers = Executors.newFixedThreadPool(2);
        ExecutorService pusher = Executors.newSingleThreadExecutor();
        AtomicBoolean pushing = new AtomicBoolean(true);
        try {
            Future<?> pushes = pusher.submit(() -> {
                for (int i = 0; i < 20; i++) {
                    aggregator.push(push);
                }
                pushing.set(false);
                return null;
            });
            int views = 0;
            String problem = null;
            while (problem == null && (pushing.get() || views == 0)) {
                problem = partOfAPush(aggregator.families(helpers));
                views++;
            }
            pushes.get(120, TimeUnit.SECONDS);
            assertNull(problem, "after " + views + " views");
            assertNull(partOfAPush(aggregator.families(helpers)));
            assertEquals(21.0, ((ScalarView) aggregator.families(helpers).get(0).series().get(SERIES - 1)).value());
        } finally {
            pusher.shutdownNow();
            helpers.shutdownNow();
        }
    }

    private static String partOfAPush(List<FamilyView> view) {
        List<SeriesView> series = view.get(0).series();
        double first = ((ScalarView) series.get(0)).value();
        for (SeriesView s : series) {
            if (((ScalarView) s).value() != first) {
                return s.labels() + " shows " + ((ScalarView) s).value() + " where the first series shows " + first;
            }
        }
        return null;
    }

    private static MetricFamily family(String name, int count) {
        List<Series> series = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            series.add(new ScalarSample(Labels.of("i", Integer.toString(i)), 1));
        }
        return new MetricFamily(name, MetricType.COUNTER, "", series);
    }
}
