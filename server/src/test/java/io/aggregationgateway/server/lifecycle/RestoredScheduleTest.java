package io.aggregationgateway.server.lifecycle;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.Push;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reset schedule across a restart: a reset that came due while the gateway was stopped clears the loaded state. */
class RestoredScheduleTest {
    private static final Instant NOW = Instant.parse("2026-12-02T00:05:00Z");
    private static final Optional<ResetSchedule> MIDNIGHT = Optional.of(ResetSchedule.parse("0 0 * * *", ZoneId.of("UTC")));
    private static final Instant BEFORE = Instant.parse("2026-12-01T00:00:00Z");

    private static Aggregator withOneSeries() throws Exception {
        Aggregator aggregator = new Aggregator();
        byte[] body = "# TYPE x_total counter\nx_total 1\n".getBytes(StandardCharsets.UTF_8);
        aggregator.push(new Push(GroupingPath.parse("/job/a", false),
                new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4).parse(body, 0, body.length)));
        return aggregator;
    }

    private static LifecycleScheduler scheduler(Aggregator aggregator, Instant takenAt) {
        return new LifecycleScheduler(aggregator, MIDNIGHT, Duration.ZERO, Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC),
                Optional.of(new LifecycleScheduler.Restored(takenAt, Optional.of(BEFORE))));
    }

    @Test
    void aResetDueWhileStoppedClearsTheLoadedState() throws Exception {
        Aggregator aggregator = withOneSeries();
        try (LifecycleScheduler lifecycle = scheduler(aggregator, Instant.parse("2026-12-01T23:58:00Z"))) {
            assertEquals(0, aggregator.seriesCount());
            assertEquals(Optional.of(NOW), lifecycle.lastReset());
            assertEquals(Optional.of(Instant.parse("2026-12-03T00:00:00Z")), lifecycle.nextReset());
        }
    }

    @Test
    void stateTakenAfterTheLastDueResetStaysWithItsLastReset() throws Exception {
        Aggregator aggregator = withOneSeries();
        try (LifecycleScheduler lifecycle = scheduler(aggregator, Instant.parse("2026-12-02T00:01:00Z"))) {
            assertEquals(1, aggregator.seriesCount());
            assertEquals(Optional.of(BEFORE), lifecycle.lastReset());
        }
    }

    @Test
    void withoutAScheduleNothingIsCleared() throws Exception {
        Aggregator aggregator = withOneSeries();
        try (LifecycleScheduler lifecycle = new LifecycleScheduler(aggregator, Optional.empty(), Duration.ZERO, Duration.ZERO,
                Clock.fixed(NOW, ZoneOffset.UTC), Optional.of(new LifecycleScheduler.Restored(BEFORE, Optional.empty())))) {
            assertEquals(1, aggregator.seriesCount());
            assertEquals(Optional.empty(), lifecycle.lastReset());
        }
    }
}
