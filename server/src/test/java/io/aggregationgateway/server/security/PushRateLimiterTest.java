package io.aggregationgateway.server.security;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token buckets on a clock the test moves: exact counts, exact waits, bounded memory. */
class PushRateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(42 * SECOND);

    private int accepted(PushRateLimiter limiter, String client, int attempts) {
        int accepted = 0;
        for (int i = 0; i < attempts; i++) {
            accepted += limiter.acquire(client) == 0 ? 1 : 0;
        }
        return accepted;
    }

    @Test
    void aBurstThenTheRate() {
        PushRateLimiter limiter = new PushRateLimiter(2, 5, 100, now::get);
        assertEquals(5, accepted(limiter, "a", 20), "the burst at once");
        now.addAndGet(SECOND);
        assertEquals(2, accepted(limiter, "a", 20), "then two a second");
        now.addAndGet(10 * SECOND);
        assertEquals(5, accepted(limiter, "a", 20), "an idle bucket fills up to the burst, not beyond");
        assertEquals(5, accepted(limiter, "b", 20), "each client has its own bucket");
    }

    @Test
    void aRefusedPushTakesNothingAndSaysHowLongToWait() {
        PushRateLimiter limiter = new PushRateLimiter(0.5, 1, 100, now::get);
        assertEquals(0, limiter.acquire("a"));
        assertEquals(2 * SECOND, limiter.acquire("a"), "one token every two seconds");
        now.addAndGet(SECOND / 2);
        assertEquals(3 * SECOND / 2, limiter.acquire("a"), "refusals do not push the next token further away");
        now.addAndGet(3 * SECOND / 2);
        assertEquals(0, limiter.acquire("a"));
    }

    @Test
    void memoryIsBoundedAndAForgottenClientStartsWithAFullBucket() {
        PushRateLimiter limiter = new PushRateLimiter(1, 3, 10, now::get);
        assertEquals(3, accepted(limiter, "flooder", 10));
        for (int i = 0; i < 9; i++) {
            limiter.acquire("client-" + i);
        }
        assertEquals(0, accepted(limiter, "flooder", 5), "seen recently: still held back");
        for (int i = 9; i < 1000; i++) {
            limiter.acquire("client-" + i);
        }
        assertEquals(10, limiter.trackedClients());
        assertEquals(3, accepted(limiter, "flooder", 10), "forgotten after 1000 others: a full bucket, as after idling");
    }

    @Test
    void theDefaultBurstIsTheRateAtLeastOne() {
        assertEquals(1, PushRateLimiter.defaultBurst(0.2));
        assertEquals(10, PushRateLimiter.defaultBurst(10));
        assertEquals(3, PushRateLimiter.defaultBurst(2.5));
        assertTrue(PushRateLimiter.defaultBurst(1e12) > 0);
    }
}
