package io.aggregationgateway.server.selfmetrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Recent push and rejection rates, per minute over the last {@link #WINDOW}: the counters are
 * sampled every {@link #STEP}, and a rate is the growth since the newest sample at least a window
 * old (the first sample, while the gateway is younger than that), divided by the time between.
 * So a rate covers between one window and one window plus a step, and reacts to a burst within a
 * step. Memory: one {@link PushCounts} per step of the window.
 */
public final class PushRates implements AutoCloseable {
    public static final Duration WINDOW = Duration.ofMinutes(5);
    public static final Duration STEP = Duration.ofSeconds(10);

    private final Clock clock;
    private final Supplier<PushCounts> counters;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private ScheduledExecutorService sampler;

    private record Sample(Instant time, PushCounts counts) {
    }

    /**
     * Rates per minute, by the same keys as {@link PushCounts}, over the {@code window} that ended now.
     *
     * @param window how long the rates are averaged over; zero right after start, when there are no rates yet
     */
    public record Rates(Duration window, Map<String, Double> acceptedByFormat, Map<String, Double> rejectedByFormat,
                        Map<String, Double> rejectedByReason) {
        /** The rate for {@code key} in one of this record's maps; 0 for a key that did not grow. */
        public static double of(Map<String, Double> rates, String key) {
            return rates.getOrDefault(key, 0.0);
        }
    }

    /** Takes the first sample now; {@link #start()} samples on from there. */
    public PushRates(Clock clock, Supplier<PushCounts> counters) {
        this.clock = clock;
        this.counters = counters;
        sample();
    }

    /** Samples every {@link #STEP} on a daemon thread until {@link #close()}. */
    public synchronized PushRates start() {
        if (sampler == null) {
            sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "aggregation-gateway-rates");
                thread.setDaemon(true);
                return thread;
            });
            sampler.scheduleAtFixedRate(this::sample, STEP.toMillis(), STEP.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Records the counters as they are now, and forgets the samples no rate needs any more. */
    public synchronized void sample() {
        Instant now = clock.instant();
        samples.addLast(new Sample(now, counters.get()));
        Instant windowStart = now.minus(WINDOW);
        // keep the newest sample at or before the window's start, and all after it
        while (samples.size() >= 2) {
            Iterator<Sample> oldest = samples.iterator();
            oldest.next();
            if (oldest.next().time().isAfter(windowStart)) {
                break;
            }
            samples.removeFirst();
        }
    }

    /** The rates from the baseline sample to the counters as they are now. */
    public synchronized Rates current(PushCounts now) {
        Instant time = clock.instant();
        Sample baseline = baseline(time);
        Duration window = Duration.between(baseline.time(), time);
        double minutes = window.toNanos() / 60e9;
        return new Rates(window,
                perMinute(now.acceptedByFormat(), baseline.counts().acceptedByFormat(), minutes),
                perMinute(now.rejectedByFormat(), baseline.counts().rejectedByFormat(), minutes),
                perMinute(now.rejectedByReason(), baseline.counts().rejectedByReason(), minutes));
    }

    /** The newest sample at least a window before {@code time}, or the oldest sample held. */
    private Sample baseline(Instant time) {
        Instant windowStart = time.minus(WINDOW);
        Sample chosen = samples.peekFirst();
        for (Sample sample : samples) {
            if (sample.time().isAfter(windowStart)) {
                break;
            }
            chosen = sample;
        }
        return chosen;
    }

    private static Map<String, Double> perMinute(Map<String, Long> now, Map<String, Long> before, double minutes) {
        Map<String, Double> rates = new TreeMap<>();
        if (minutes <= 0) {
            return rates;
        }
        now.forEach((key, count) -> {
            long grown = count - before.getOrDefault(key, 0L);
            if (grown > 0) {
                rates.put(key, grown / minutes);
            }
        });
        return rates;
    }

    synchronized int samplesHeld() {
        return samples.size();
    }

    @Override
    public synchronized void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }
}
