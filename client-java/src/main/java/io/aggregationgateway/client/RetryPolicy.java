package io.aggregationgateway.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently a push is retried: at most {@code maxAttempts} attempts, waiting
 * {@code initialBackoff} before the second, twice that before the third, and so on up to
 * {@code maxBackoff}.
 */
record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoffs must not be negative");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is shorter than initialBackoff " + initialBackoff);
        }
    }

    /**
     * The pause before retry number {@code retry} (1 for the second attempt). It is drawn between
     * half and all of the exponential backoff, so that many senders failing together (a gateway
     * restart) do not all come back in the same millisecond.
     */
    Duration backoffBefore(int retry) {
        long initial = initialBackoff.toNanos();
        long cap = maxBackoff.toNanos();
        long backoff = initial;
        for (int i = 1; i < retry && backoff < cap; i++) {
            backoff = backoff > cap / 2 ? cap : backoff * 2;
        }
        backoff = Math.min(backoff, cap);
        long half = backoff / 2;
        return Duration.ofNanos(half + (backoff - half == 0 ? 0 : ThreadLocalRandom.current().nextLong(backoff - half + 1)));
    }
}
