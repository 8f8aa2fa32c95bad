package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.SeriesView;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each series carries the time it began in the gateway: its first push, and after a reset, an
 * expiry or a delete the first push after that. Adding to it later keeps the start; the start is
 * what lets Prometheus see a reset of the gateway even when a sum did not fall.
 */
class StartTimestampTest {
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final TextFormatParser parser = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);
    private final Aggregator aggregator = new Aggregator(
            new EngineSettings("", 1000, 16, 1024, Duration.ofSeconds(60)), now::get);

    private static final String PUSH = """
            # TYPE jobs_total counter
            jobs_total{queue="a"} 1
            # TYPE latency histogram
            latency_bucket{le="1"} 1
            latency_bucket{le="+Inf"} 1
            latency_sum 0.5
            latency_count 1
            # TYPE depth gauge
            depth 3
            """;

    private void push(String body) throws PushRejectedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        aggregator.push(new Push(Labels.of("job", "j"), parser.parse(bytes, 0, bytes.length)));
    }

    /** family{labels} -> start, as the scrape's views carry it. */
    private Map<String, Long> starts() {
        Map<String, Long> starts = new TreeMap<>();
        for (FamilyView family : aggregator.families()) {
            for (SeriesView series : family.series()) {
                starts.put(family.name() + series.labels(), series.startMillis());
            }
        }
        return starts;
    }

    private static Map<String, Long> all(long start) {
        return Map.of("depth{job=\"j\"}", start, "jobs_total{job=\"j\",queue=\"a\"}", start, "latency{job=\"j\"}", start);
    }

    @Test
    void theFirstPushStartsASeriesAndLaterPushesKeepItsStart() throws Exception {
        long first = now.get();
        push(PUSH);
        now.addAndGet(15_000);
        push(PUSH);
        push("# TYPE jobs_total counter\njobs_total{queue=\"b\"} 1\n");
        Map<String, Long> expected = new TreeMap<>(all(first));
        expected.put("jobs_total{job=\"j\",queue=\"b\"}", now.get());
        assertEquals(expected, starts());
    }

    @Test
    void aResetStartsEverySeriesAgainAtItsNextPush() throws Exception {
        push(PUSH);
        now.addAndGet(5_000);
        aggregator.reset();
        now.addAndGet(5_000);
        push(PUSH);
        assertEquals(all(now.get()), starts());
    }

    @Test
    void anExpiredSeriesStartsAgainAtItsNextPush() throws Exception {
        push(PUSH);
        now.addAndGet(61_000);
        assertEquals(3, aggregator.expire());
        push(PUSH);
        assertEquals(all(now.get()), starts());
    }

    @Test
    void aDeletedSeriesStartsAgainAtItsNextPush() throws Exception {
        long first = now.get();
        push(PUSH);
        now.addAndGet(1_000);
        aggregator.delete(Labels.of("queue", "a"));
        push(PUSH);
        Map<String, Long> expected = new TreeMap<>(all(first));
        expected.put("jobs_total{job=\"j\",queue=\"a\"}", now.get());
        assertEquals(expected, starts());
    }
}
