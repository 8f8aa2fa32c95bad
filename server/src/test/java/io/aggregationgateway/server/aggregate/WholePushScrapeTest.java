package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.expose.TextFormatRenderer;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.Series;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scrapes see whole pushes: every push adds 1 to every series of two families, so in any view all
 * of them hold the same value, however the pushes and the scrape's rendering interleave.
 */
class WholePushScrapeTest {
    private static final int PUSHERS = 4;
    private static final int SCRAPERS = 2;
    private static final int PUSHES_PER_PUSHER = 1_500;
    private static final int SERIES_PER_FAMILY = 100;

    @Test
    void everyScrapeShowsEveryPushWhollyOrNotAtAll() throws Exception {
        Aggregator aggregator = new Aggregator();
        Push push = new Push(Labels.of("job", "whole"), List.of(family("a_total"), family("b_total"),
                new MetricFamily("h", MetricType.HISTOGRAM, "", List.of(new io.aggregationgateway.server.model.ClassicHistogram(
                        Labels.EMPTY, new double[] {1, Double.POSITIVE_INFINITY}, new double[] {1, 1}, 1.0, 1.0)))));
        ExecutorService pool = Executors.newFixedThreadPool(PUSHERS + SCRAPERS);
        AtomicBoolean pushing = new AtomicBoolean(true);
        AtomicInteger scrapes = new AtomicInteger();
        try {
            List<Future<String>> scrapers = new ArrayList<>();
            for (int s = 0; s < SCRAPERS; s++) {
                scrapers.add(pool.submit(() -> {
                    while (pushing.get()) {
                        String problem = inconsistency(render(aggregator));
                        if (problem != null) {
                            return problem;
                        }
                        scrapes.incrementAndGet();
                    }
                    return null;
                }));
            }
            List<Future<?>> pushers = new ArrayList<>();
            for (int p = 0; p < PUSHERS; p++) {
                pushers.add(pool.submit(() -> {
                    for (int i = 0; i < PUSHES_PER_PUSHER; i++) {
                        aggregator.push(push);
                    }
                    return null;
                }));
            }
            for (Future<?> pusher : pushers) {
                pusher.get(120, TimeUnit.SECONDS);
            }
            pushing.set(false);
            for (Future<String> scraper : scrapers) {
                assertNull(scraper.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(scrapes.get() > 10, "scrapes: " + scrapes.get());
        String last = render(aggregator);
        assertNull(inconsistency(last));
        assertTrue(last.contains("a_total{i=\"0\",job=\"whole\"} " + PUSHERS * PUSHES_PER_PUSHER + "\n"), last);
    }

    @Test
    void aSnapshotKeepsItsValuesWhilePushesGoOn() throws Exception {
        Aggregator aggregator = new Aggregator();
        Push push = new Push(Labels.EMPTY, List.of(family("a_total")));
        aggregator.push(push);
        List<FamilyView> before = aggregator.families();
        aggregator.push(push);
        aggregator.push(new Push(Labels.EMPTY, List.of(family("c_total"))));
        assertEquals(1, before.size());
        assertEquals(1.0, ((ScalarView) before.get(0).series().get(7)).value());
        assertEquals(2.0, ((ScalarView) aggregator.families().get(0).series().get(7)).value());
    }

    private static MetricFamily family(String name) {
        List<Series> series = new ArrayList<>();
        for (int i = 0; i < SERIES_PER_FAMILY; i++) {
            series.add(new ScalarSample(Labels.of("i", Integer.toString(i)), 1));
        }
        return new MetricFamily(name, MetricType.COUNTER, "", series);
    }

    private static String render(Aggregator aggregator) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TextFormatRenderer().render(aggregator.families(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Every sample of the scrape should show the same number of pushes; what differs, if not. */
    static String inconsistency(String scrape) {
        String first = null;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            String value = line.substring(line.lastIndexOf(' ') + 1);
            if (first == null) {
                first = value;
            } else if (!first.equals(value)) {
                return "a scrape shows part of a push: " + line + " but the first sample is " + first;
            }
        }
        return null;
    }
}
