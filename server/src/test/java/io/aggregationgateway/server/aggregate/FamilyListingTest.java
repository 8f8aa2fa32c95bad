package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the status page reads of the engine: the families with counts and push times, and deleting one. */
class FamilyListingTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final TextFormatParser parser = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);

    private Aggregator engine(Duration ttl) {
        return new Aggregator(new EngineSettings("aggregation_gateway_", 100, 8, 64, ttl), now::get);
    }

    private void push(Aggregator aggregator, String path, String body) throws PushRejectedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        aggregator.push(new Push(GroupingPath.parse(path, false), parser.parse(bytes, 0, bytes.length)));
    }

    @Test
    void familiesAreSortedWithLiveSeriesAndTheNewestPush() throws Exception {
        Aggregator aggregator = engine(Duration.ofSeconds(10));
        push(aggregator, "/job/a", "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total{q=\"x\"} 1\njobs_total{q=\"y\"} 1\n"
                + "# TYPE temp gauge\ntemp 3\n");
        now.addAndGet(4_000);
        push(aggregator, "/job/b", "# TYPE jobs_total counter\njobs_total{q=\"x\"} 2\n");
        assertEquals(List.of(
                new FamilySummary("jobs_total", MetricType.COUNTER, "Jobs done.", 3, 1_004_000),
                new FamilySummary("temp", MetricType.GAUGE, "", 1, 1_000_000)), aggregator.familySummaries());

        now.addAndGet(7_000); // the first push's series have expired, the second's have not
        assertEquals(List.of(new FamilySummary("jobs_total", MetricType.COUNTER, "Jobs done.", 1, 1_004_000)),
                aggregator.familySummaries());
    }

    @Test
    void deletingAFamilyForgetsItsSeriesAndFreesItsName() throws Exception {
        Aggregator aggregator = engine(Duration.ZERO);
        push(aggregator, "/job/a", "# TYPE x counter\nx{i=\"1\"} 1\nx{i=\"2\"} 1\n# TYPE y gauge\ny 1\n");
        assertEquals(2, aggregator.deleteFamily("x"));
        assertEquals(0, aggregator.deleteFamily("x"), "already gone");
        assertEquals(0, aggregator.deleteFamily("never_pushed"));
        assertEquals(List.of("y"), aggregator.familySummaries().stream().map(FamilySummary::name).toList());
        assertEquals(1, aggregator.seriesCount());
        assertEquals(1, aggregator.familyCount());
        push(aggregator, "/job/a", "# TYPE x gauge\nx 5\n"); // the name is free for another type
        assertEquals(MetricType.GAUGE, aggregator.familySummaries().get(0).type());
    }
}
