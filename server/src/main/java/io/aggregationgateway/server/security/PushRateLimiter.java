package io.aggregationgateway.server.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: each push takes a token, buckets refill at {@code perSecond} tokens a
 * second up to {@code burst}. A push finding no token is refused and takes none, so the pushes a
 * client gets through add up exactly to what the buckets allowed.
 *
 * <p>Memory is bounded: at most {@code capacity} clients are tracked, the least recently seen
 * forgotten first. A forgotten client starts again with a full bucket, which is what it would
 * have had anyway after being idle for {@code burst / perSecond} seconds; only a client idle
 * while {@code capacity} others pushed can be forgotten, so a steady flooder keeps its empty
 * bucket while it floods.
 */
final class PushRateLimiter {
    /** Clients tracked at most: about 100 bytes each. */
    static final int DEFAULT_CAPACITY = 65_536;

    private final double perNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets;

    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long updatedNanos) {
            this.tokens = tokens;
            this.updatedNanos = updatedNanos;
        }
    }

    /**
     * @param perSecond tokens added per second, above 0
     * @param burst     most tokens a bucket holds, at least 1
     * @param capacity  most clients tracked at once
     * @param nanoTime  a monotonic clock in nanoseconds
     */
    PushRateLimiter(double perSecond, int burst, int capacity, LongSupplier nanoTime) {
        if (!(perSecond > 0) || burst < 1 || capacity < 1) {
            throw new IllegalArgumentException("rate " + perSecond + ", burst " + burst + ", capacity " + capacity);
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.buckets = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The burst that {@code --push-rate-burst 0} means: the rate, rounded up, at least 1. */
    static int defaultBurst(double perSecond) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(perSecond)));
    }

    /**
     * Takes a token for one push of {@code client}.
     *
     * @return 0 when the push may go on; otherwise the nanoseconds until a token will be there
     */
    synchronized long acquire(String client) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.get(client);
        if (bucket == null) {
            bucket = new Bucket(burst, now);
            buckets.put(client, bucket);
        } else {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updatedNanos) * perNano);
            bucket.updatedNanos = now;
        }
        if (bucket.tokens >= 1) {
            bucket.tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perNano));
    }

    synchronized int trackedClients() {
        return buckets.size();
    }
}
