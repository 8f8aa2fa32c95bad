package io.aggregationgateway.server.lifecycle;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.time.ZoneId;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ResetScheduleTest {
    static Stream<Arguments> schedules() {
        return Stream.of(
                arguments("*/5 * * * *", "UTC", "2026-11-22T10:03:12Z", "2026-11-22T10:05:00Z"),
                arguments("0 0 * * *", "UTC", "2026-11-22T10:03:12Z", "2026-11-23T00:00:00Z"),
                arguments("0 0 * * *", "Europe/Berlin", "2026-11-22T10:03:12Z", "2026-11-22T23:00:00Z"),
                arguments("*/10 * * * * ?", "UTC", "2026-11-22T10:03:12Z", "2026-11-22T10:03:20Z"),
                arguments("0 30 6 ? * MON-FRI", "UTC", "2026-11-22T10:03:12Z", "2026-11-23T06:30:00Z"),
                arguments("0 0 12 1 1 ? 2030", "UTC", "2026-11-22T10:03:12Z", "2030-01-01T12:00:00Z"));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("schedules")
    void nextReset(String cron, String zone, String after, String expected) {
        ResetSchedule schedule = ResetSchedule.parse(cron, ZoneId.of(zone));
        assertEquals(Instant.parse(expected), schedule.nextAfter(Instant.parse(after)).orElseThrow());
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments("", "expected 5 fields"),
                arguments("* * *", "found 3"),
                arguments("61 * * * *", "61"),
                arguments("*/10 * * * * * * *", "found 8"),
                arguments("0 0 * * * MON", "day-of-week AND a day-of-month"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("invalid")
    void invalidExpressionsSayWhy(String cron, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResetSchedule.parse(cron, ZoneId.of("UTC")));
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }
}
