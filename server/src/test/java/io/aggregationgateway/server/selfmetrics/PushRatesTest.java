package io.aggregationgateway.server.selfmetrics;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rates per minute from sampled counters, with a clock the test moves. */
class PushRatesTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final MovingClock clock = new MovingClock(T0);
    private final AtomicReference<PushCounts> counters = new AtomicReference<>(PushCounts.NONE);

    private static PushCounts accepted(long text) {
        return new PushCounts(Map.of("text", text), Map.of(), Map.of());
    }

    /** Moves {@code steps} sampling steps on, sampling after each, with the text counter growing {@code perStep}. */
    private void run(PushRates rates, int steps, long perStep) {
        for (int i = 0; i < steps; i++) {
            clock.advance(PushRates.STEP);
            counters.set(accepted(counters.get().acceptedByFormat().getOrDefault("text", 0L) + perStep));
            rates.sample();
        }
    }

    @Test
    void noRatesAtStartThenTheRateSinceStart() {
        PushRates rates = new PushRates(clock, counters::get);
        PushRates.Rates atStart = rates.current(accepted(5));
        assertEquals(Duration.ZERO, atStart.window());
        assertEquals(Map.of(), atStart.acceptedByFormat());

        run(rates, 6, 10); // a minute, 60 pushes
        PushRates.Rates afterAMinute = rates.current(counters.get());
        assertEquals(Duration.ofMinutes(1), afterAMinute.window());
        assertEquals(60.0, afterAMinute.acceptedByFormat().get("text"), 1e-9);
    }

    @Test
    void theWindowSlidesSoOldPushesStopCounting() {
        PushRates rates = new PushRates(clock, counters::get);
        run(rates, 30, 100); // five busy minutes: 600 per minute
        assertEquals(600.0, rates.current(counters.get()).acceptedByFormat().get("text"), 1e-9);
        run(rates, 15, 10); // 2.5 quiet minutes: 60 per minute
        PushRates.Rates mixed = rates.current(counters.get());
        assertEquals(PushRates.WINDOW, mixed.window());
        assertEquals((15 * 100 + 15 * 10) / 5.0, mixed.acceptedByFormat().get("text"), 1e-9);
        run(rates, 30, 0); // five idle minutes
        assertEquals(Map.of(), rates.current(counters.get()).acceptedByFormat(), "nothing grew in the window");
        assertTrue(rates.samplesHeld() <= PushRates.WINDOW.dividedBy(PushRates.STEP) + 2, rates.samplesHeld() + " samples");
    }

    @Test
    void betweenSamplesTheWindowReachesBackToTheNewestSampleAWindowOld() {
        PushRates rates = new PushRates(clock, counters::get);
        run(rates, 31, 10);
        clock.advance(Duration.ofSeconds(4)); // the newest sample a window old is 5 min 4 s back
        PushRates.Rates rates4s = rates.current(counters.get());
        assertEquals(PushRates.WINDOW.plusSeconds(4), rates4s.window());
        assertEquals(300 / (304 / 60.0), rates4s.acceptedByFormat().get("text"), 1e-9);
    }

    @Test
    void rejectionsAreRatedByFormatAndReason() {
        PushRates rates = new PushRates(clock, counters::get);
        clock.advance(Duration.ofSeconds(30));
        PushRates.Rates r = rates.current(new PushCounts(Map.of(), Map.of("grpc", 2L), Map.of("malformed", 1L, "too_large", 1L)));
        assertEquals(Map.of("grpc", 4.0), r.rejectedByFormat());
        assertEquals(Map.of("malformed", 2.0, "too_large", 2.0), r.rejectedByReason());
        assertEquals(0.0, PushRates.Rates.of(r.acceptedByFormat(), "text"));
    }

    private static final class MovingClock extends Clock {
        private Instant now;

        MovingClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
