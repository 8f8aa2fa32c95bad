package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.SeriesView;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's forgetting and limits, with a clock the test moves. */
class ExpiryDeleteAndLimitsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final TextFormatParser parser = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);

    private Aggregator engine(long maxSeries, Duration ttl) {
        return new Aggregator(new EngineSettings("aggregation_gateway_", maxSeries, 4, 8, ttl), now::get);
    }

    private PushResult push(Aggregator aggregator, String path, String body) throws PushRejectedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return aggregator.push(new Push(GroupingPath.parse(path, false), parser.parse(bytes, 0, bytes.length)));
    }

    private static String names(Aggregator aggregator) {
        StringBuilder out = new StringBuilder();
        for (FamilyView family : aggregator.families()) {
            for (SeriesView cell : family.series()) {
                out.append(family.name()).append(cell.labels()).append(' ');
            }
        }
        return out.toString().trim();
    }

    @Test
    void seriesNotPushedWithinTheTtlDisappearAndTheirFamilyWithThem() throws Exception {
        Aggregator aggregator = engine(100, Duration.ofSeconds(10));
        push(aggregator, "", "# TYPE a_total counter\na_total{x=\"old\"} 1\n# TYPE b gauge\nb 1\n");
        now.addAndGet(6_000);
        push(aggregator, "", "# TYPE a_total counter\na_total{x=\"new\"} 1\n");
        now.addAndGet(5_000); // 11 s after the first push, 5 s after the second
        assertEquals("a_total{x=\"new\"}", names(aggregator));
        assertEquals(3, aggregator.seriesCount(), "hidden at once, freed by the sweep");
        assertEquals(2, aggregator.expire());
        assertEquals(1, aggregator.seriesCount());
        assertEquals(1, aggregator.familyCount());
    }

    @Test
    void anExpiredFamilyCanComeBackWithAnotherType() throws Exception {
        Aggregator aggregator = engine(100, Duration.ofSeconds(10));
        push(aggregator, "", "# TYPE t counter\nt 1\n");
        PushRejectedException early = assertThrows(PushRejectedException.class, () -> push(aggregator, "", "# TYPE t gauge\nt 5\n"));
        assertEquals(RejectionReason.TYPE_CONFLICT, early.reason());
        now.addAndGet(11_000); // expired, not yet swept
        push(aggregator, "", "# TYPE t gauge\nt 5\n");
        assertEquals("t{}", names(aggregator));
        assertEquals(1, aggregator.seriesCount());
    }

    @Test
    void deleteForgetsEverySeriesCarryingAllTheLabels() throws Exception {
        Aggregator aggregator = engine(100, Duration.ZERO);
        push(aggregator, "/job/a/instance/1", "x 1\ny 1\n");
        push(aggregator, "/job/a/instance/2", "x 1\n");
        push(aggregator, "/job/b/instance/1", "x 1\n");
        assertEquals(1, aggregator.delete(Labels.of("job", "a", "instance", "2")));
        assertEquals(2, aggregator.delete(Labels.of("job", "a")));
        assertEquals(0, aggregator.delete(Labels.of("job", "nope")));
        assertEquals("x{instance=\"1\",job=\"b\"}", names(aggregator));
        assertEquals(1, aggregator.seriesCount());
        assertEquals(1, aggregator.familyCount());
    }

    @Test
    void aPushThatWouldExceedMaxSeriesIsRefusedWholeButExistingSeriesStillUpdate() throws Exception {
        Aggregator aggregator = engine(3, Duration.ZERO);
        push(aggregator, "", "c{i=\"1\"} 1\nc{i=\"2\"} 1\n");
        String before = names(aggregator);
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> push(aggregator, "", "c{i=\"1\"} 1\nc{i=\"3\"} 1\nc{i=\"4\"} 1\n"));
        assertEquals(RejectionReason.LIMIT_EXCEEDED, e.reason());
        assertTrue(e.getMessage().contains("its 2 new series would exceed the limit of 3 series (--max-series)"), e.getMessage());
        assertEquals(before, names(aggregator));
        assertEquals(2, aggregator.seriesCount());

        PushResult fits = push(aggregator, "", "c{i=\"1\"} 1\nc{i=\"2\"} 1\nc{i=\"3\"} 1\n");
        assertEquals(1, fits.newSeries());
        assertEquals(3, aggregator.seriesCount());
        push(aggregator, "", "c{i=\"1\"} 5\n"); // at the limit, updates still land
        assertEquals(3, aggregator.seriesCount());
        aggregator.reset();
        assertEquals(0, aggregator.seriesCount());
    }

    @Test
    void labelLimitsRefuseWithTheLimitNamed() {
        Aggregator aggregator = engine(100, Duration.ZERO);
        PushRejectedException many = assertThrows(PushRejectedException.class,
                () -> push(aggregator, "/job/j", "m{a=\"1\",b=\"2\",c=\"3\",d=\"4\"} 1\n"));
        assertEquals(RejectionReason.LABEL_LIMIT_EXCEEDED, many.reason());
        assertTrue(many.getMessage().contains("5 labels, more than the limit of 4 (--max-labels-per-series)"), many.getMessage());
        PushRejectedException longValue = assertThrows(PushRejectedException.class,
                () -> push(aggregator, "", "m{a=\"123456789\"} 1\n"));
        assertTrue(longValue.getMessage().contains("a label value of 9 bytes, longer than the limit of 8 bytes"), longValue.getMessage());
        assertEquals("", names(aggregator));
    }
}
