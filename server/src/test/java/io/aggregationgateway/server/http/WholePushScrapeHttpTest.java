package io.aggregationgateway.server.http;

import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;

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

/** Through the real server: pushers each add 1 to every series of a_total and b_total in one push; every scrape shows equal values. */
class WholePushScrapeHttpTest {
    private static final int PUSHERS = 4;
    private static final int PUSHES_PER_PUSHER = 250;
    private static final int SERIES = 20;

    @Test
    void everyScrapeThroughTheServerShowsWholePushes() throws Exception {
        StringBuilder body = new StringBuilder();
        for (String family : List.of("a_total", "b_total")) {
            body.append("# TYPE ").append(family).append(" counter\n");
            for (int i = 0; i < SERIES; i++) {
                body.append(family).append("{i=\"").append(i).append("\"} 1\n");
            }
        }
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            ExecutorService pool = Executors.newFixedThreadPool(PUSHERS + 2);
            AtomicBoolean pushing = new AtomicBoolean(true);
            AtomicInteger scrapes = new AtomicInteger();
            try {
                List<Future<String>> scrapers = new ArrayList<>();
                for (int s = 0; s < 2; s++) {
                    scrapers.add(pool.submit(() -> {
                        while (pushing.get()) {
                            String problem = inconsistency(gateway.scrape());
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
                            assertEquals(200, gateway.pushText("/metrics/job/whole", body.toString()).statusCode());
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
            String last = gateway.scrape();
            assertNull(inconsistency(last));
            assertTrue(last.contains("a_total{i=\"0\",job=\"whole\"} " + PUSHERS * PUSHES_PER_PUSHER + "\n"), last);
        }
    }

    private static String inconsistency(String scrape) {
        String first = null;
        for (String line : scrape.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
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
