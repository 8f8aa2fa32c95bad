package io.aggregationgateway.server.lifecycle;

import io.aggregationgateway.server.aggregate.Aggregator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs what happens on its own: the reset schedule, the sweep of expired series and the sweep of
 * expired sources. One daemon thread; a reset takes the store's write lock, so a push lands wholly
 * before or after it.
 */
public final class LifecycleScheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LifecycleScheduler.class.getName());
    private static final Duration MIN_SWEEP = Duration.ofSeconds(1);
    private static final Duration MAX_SWEEP = Duration.ofMinutes(1);
    // Scrapes see a source's gauges until the sweep forgets it, so it runs often; it is cheap
    // (one look at each source's last push time) unless a source expired.
    private static final Duration MIN_SOURCE_SWEEP = Duration.ofMillis(100);
    private static final Duration MAX_SOURCE_SWEEP = Duration.ofSeconds(5);

    private final Aggregator aggregator;
    private final Optional<ResetSchedule> schedule;
    private final Clock clock;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "aggregation-gateway-lifecycle");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Instant lastReset;
    private volatile Instant nextReset;

    public LifecycleScheduler(Aggregator aggregator, Optional<ResetSchedule> schedule, Duration seriesTtl, Clock clock) {
        this(aggregator, schedule, seriesTtl, Duration.ZERO, clock);
    }

    /** @param sourceTtl sources that have not pushed for this long are forgotten; zero for never */
    public LifecycleScheduler(Aggregator aggregator, Optional<ResetSchedule> schedule, Duration seriesTtl,
                              Duration sourceTtl, Clock clock) {
        this(aggregator, schedule, seriesTtl, sourceTtl, clock, Optional.empty());
    }

    /**
     * @param restored when the aggregator holds state loaded from a snapshot: when that state was
     *                 taken and when the schedule had last cleared it. A reset that came due since
     *                 (while the gateway was stopped) clears the aggregate now, before anything is served.
     */
    public LifecycleScheduler(Aggregator aggregator, Optional<ResetSchedule> schedule, Duration seriesTtl,
                              Duration sourceTtl, Clock clock, Optional<Restored> restored) {
        this.aggregator = aggregator;
        this.schedule = schedule;
        this.clock = clock;
        restored.ifPresent(this::catchUp);
        schedule.ifPresent(s -> armReset(clock.instant()));
        if (!seriesTtl.isZero()) {
            // Scrapes hide expired series at once; the sweep only frees their memory.
            long sweepMillis = Math.clamp(seriesTtl.toMillis() / 10, MIN_SWEEP.toMillis(), MAX_SWEEP.toMillis());
            executor.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        }
        if (!sourceTtl.isZero()) {
            long sweepMillis = sourceSweepMillis(sourceTtl);
            executor.scheduleWithFixedDelay(this::sweepSources, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * State loaded from a snapshot.
     *
     * @param takenAt   when the state was taken
     * @param lastReset when the reset schedule had last cleared it, if it had since its gateway started
     */
    public record Restored(Instant takenAt, Optional<Instant> lastReset) {
    }

    private void catchUp(Restored restored) {
        lastReset = restored.lastReset().orElse(null);
        Optional<Instant> missed = schedule.flatMap(s -> s.nextAfter(restored.takenAt()))
                .filter(due -> !due.isAfter(clock.instant()));
        if (missed.isPresent()) {
            aggregator.reset();
            lastReset = clock.instant();
            LOG.info(() -> "the reset due at " + missed.get() + " (" + schedule.orElseThrow() + ") came while the gateway"
                    + " was stopped: the state loaded from the snapshot, taken at " + restored.takenAt() + ", is cleared");
        }
    }

    /** How often expired sources are looked for: a twentieth of the TTL, between 0.1 s and 5 s. */
    static long sourceSweepMillis(Duration sourceTtl) {
        return Math.clamp(sourceTtl.toMillis() / 20, MIN_SOURCE_SWEEP.toMillis(), MAX_SOURCE_SWEEP.toMillis());
    }

    /** When the schedule last cleared the aggregate. */
    public Optional<Instant> lastReset() {
        return Optional.ofNullable(lastReset);
    }

    /** When the schedule next clears the aggregate. */
    public Optional<Instant> nextReset() {
        return Optional.ofNullable(nextReset);
    }

    private void armReset(Instant after) {
        nextReset = schedule.flatMap(s -> s.nextAfter(after)).orElse(null);
        if (nextReset == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), nextReset).toMillis());
        Instant due = nextReset;
        executor.schedule(() -> reset(due), delay, TimeUnit.MILLISECONDS);
    }

    private void reset(Instant due) {
        try {
            aggregator.reset();
            lastReset = clock.instant();
            LOG.info(() -> "reset schedule " + schedule.orElseThrow() + " cleared the aggregate");
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "scheduled reset failed", e);
        } finally {
            armReset(due); // from the due time, not from now: a slightly early wake-up must not fire twice
        }
    }

    private void sweep() {
        try {
            long removed = aggregator.expire();
            if (removed > 0) {
                LOG.fine(() -> "expired " + removed + " series");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "expiry sweep failed", e);
        }
    }

    private void sweepSources() {
        try {
            long expired = aggregator.expireSources();
            if (expired > 0) {
                LOG.fine(() -> "forgot " + expired + " sources that stopped pushing");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "source expiry sweep failed", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
