package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.MetricFamily;
import io.prometheus.client.CollectorRegistry;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pushes metrics to an aggregation gateway, which adds every push to its sums for Prometheus to
 * scrape.
 *
 * <pre>{@code
 * try (PushClient client = PushClient.builder().target("localhost:8080").job("checkout").build()) {
 *     client.push(CollectorRegistry.defaultRegistry);
 * }
 * }</pre>
 *
 * <p><b>What is sent.</b> A registry ({@link #push(CollectorRegistry)},
 * {@link MetricsSource#of(CollectorRegistry)}, {@link PrometheusRegistryConverter#source}) is
 * pushed as the increments since this client's last successful push of it, so the gateway's sum
 * equals the registry's total however often it is pushed; see {@link MetricsSource}. Families
 * given directly ({@link #push(Collection)}) are sent as they are. The client's grouping labels
 * ({@code job} and the others) are added to every series.
 *
 * <p><b>Failures.</b> A push that fails throws a {@link PushException} with the gateway's status
 * and message. Transient failures (the connection failed, gRPC {@code UNAVAILABLE}, HTTP 5xx) are
 * retried with exponential backoff up to the configured number of attempts; a rejected push
 * (HTTP 4xx, gRPC {@code INVALID_ARGUMENT}) is not, nor is a timeout, since the gateway may have
 * applied it.
 *
 * <p><b>Periodic pushing.</b> {@link #startPeriodicPush} pushes a source on a daemon thread at a
 * fixed delay; {@link #close()} stops it and pushes one last time, so nothing counted before
 * {@code close()} is lost.
 *
 * <p><b>Threads.</b> The client is thread-safe. Pushes, explicit and periodic, go one at a time:
 * a push waits for the one in progress (retries included) to end. The client does no logging,
 * except that a failed periodic push is reported through {@link System.Logger} unless a handler
 * is set with {@link PushClientBuilder#onPeriodicPushFailure}.
 */
public final class PushClient implements AutoCloseable {
    private final ClientSettings settings;
    private final Sender sender;
    /** Held for the whole of a push, retries included, so pushes never overlap. */
    private final ReentrantLock pushLock = new ReentrantLock();
    private final IncrementTracker increments = new IncrementTracker(); // guarded by pushLock
    private boolean senderClosed; // guarded by pushLock

    private final Object lifecycleLock = new Object();
    private boolean closed; // guarded by lifecycleLock
    private ScheduledExecutorService scheduler; // guarded by lifecycleLock
    private MetricsSource periodicSource; // guarded by lifecycleLock

    PushClient(ClientSettings settings) {
        this.settings = settings;
        this.sender = settings.newSender();
    }

    /**
     * Starts configuring a client.
     *
     * @return a new builder
     */
    public static PushClientBuilder builder() {
        return new PushClientBuilder();
    }

    /**
     * Pushes what changed in a simpleclient registry since this client's last successful push
     * of it (the first time: everything).
     *
     * @param registry the registry, for example {@link CollectorRegistry#defaultRegistry}
     * @throws PushException         if the push failed after all attempts
     * @throws IllegalStateException if the client is closed
     */
    public void push(CollectorRegistry registry) throws PushException {
        push(MetricsSource.of(Objects.requireNonNull(registry, "registry")));
    }

    /**
     * Pushes families as they are; the gateway adds them to its sums.
     *
     * @param families the families, for example built with {@code MetricFamily.newBuilder()}
     * @throws PushException         if the push failed after all attempts
     * @throws IllegalStateException if the client is closed
     */
    public void push(Collection<MetricFamily> families) throws PushException {
        push(MetricsSource.ofFamilies(families));
    }

    /**
     * Collects the source and pushes it (a registry source as increments, see {@link MetricsSource}).
     *
     * @param source what to push
     * @throws PushException         if the push failed after all attempts
     * @throws IllegalStateException if the client is closed
     */
    public void push(MetricsSource source) throws PushException {
        Objects.requireNonNull(source, "source");
        ensureOpen();
        try {
            pushLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(0, e);
        }
        try {
            if (senderClosed) {
                throw new IllegalStateException("the push client is closed");
            }
            pushLocked(source);
        } finally {
            pushLock.unlock();
        }
    }

    /**
     * Pushes {@code source} every {@code interval} on a daemon thread, the first time one interval
     * from now, until {@link #close()}, which pushes it one last time. A failed push goes to the
     * {@linkplain PushClientBuilder#onPeriodicPushFailure failure handler} and the schedule goes on;
     * since a registry source is pushed as increments, what a failed push would have sent goes
     * with the next one. The interval runs from the end of one push to the start of the next.
     *
     * @param source   what to push
     * @param interval the pause between pushes
     * @throws IllegalStateException    if periodic pushing was already started, or the client is closed
     * @throws IllegalArgumentException if the interval is not positive
     */
    public void startPeriodicPush(MetricsSource source, Duration interval) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        synchronized (lifecycleLock) {
            ensureOpen();
            if (scheduler != null) {
                throw new IllegalStateException("periodic pushing was already started on this client");
            }
            scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "aggregation-gateway-push");
                thread.setDaemon(true); // never keeps the application alive; close() does the final push
                return thread;
            });
            periodicSource = source;
            long nanos = interval.toNanos();
            scheduler.scheduleWithFixedDelay(() -> periodicPush(source), nanos, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * {@link #startPeriodicPush(MetricsSource, Duration)} for a simpleclient registry.
     *
     * @param registry the registry to push, as increments
     * @param interval the pause between pushes
     * @throws IllegalStateException    if periodic pushing was already started, or the client is closed
     * @throws IllegalArgumentException if the interval is not positive
     */
    public void startPeriodicPush(CollectorRegistry registry, Duration interval) {
        startPeriodicPush(MetricsSource.of(Objects.requireNonNull(registry, "registry")), interval);
    }

    /**
     * Stops periodic pushing, pushes the periodic source one last time (waiting for a push in
     * progress first), then closes the connection. Without periodic pushing it only closes the
     * connection. Calling it again does nothing.
     *
     * @throws PushException if the final push failed; the client is closed all the same
     */
    @Override
    public void close() throws PushException {
        ScheduledExecutorService stopping;
        MetricsSource finalSource;
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closed = true;
            stopping = scheduler;
            finalSource = periodicSource;
        }
        try {
            if (stopping != null) {
                stopping.shutdown(); // no new periodic push starts; one under way keeps the lock until it ends
            }
            // Not interruptible: the final push may fail on an interrupt, but the connection is released.
            pushLock.lock();
            try {
                if (finalSource != null && !senderClosed) {
                    pushLocked(finalSource);
                }
            } finally {
                senderClosed = true;
                pushLock.unlock();
            }
        } finally {
            sender.close();
        }
    }

    private void periodicPush(MetricsSource source) {
        try {
            pushLock.lockInterruptibly();
        } catch (InterruptedException e) {
            return; // the scheduler is shutting down
        }
        try {
            if (senderClosed) {
                return; // close() has done the final push already
            }
            pushLocked(source);
        } catch (PushException e) {
            report(e);
        } catch (RuntimeException e) {
            report(new PushException("collecting the metrics to push failed: " + e, settings.transport(),
                    null, null, null, false, 0, e));
        } finally {
            pushLock.unlock();
        }
    }

    private void report(PushException e) {
        try {
            settings.periodicFailureHandler().accept(e);
        } catch (RuntimeException handlerFailure) {
            // a throwing handler must not end the schedule (the executor would cancel it for good)
            System.getLogger(PushClient.class.getName()).log(System.Logger.Level.WARNING,
                    "periodic push failure handler threw", handlerFailure);
        }
    }

    /** Collects, sends with retries, and for running totals remembers what was sent. Under pushLock. */
    private void pushLocked(MetricsSource source) throws PushException {
        List<MetricFamily> collected = source.collect();
        if (source instanceof RunningTotalsSource totals) {
            sendWithRetries(increments.increments(totals.identity(), collected));
            increments.commit(totals.identity(), collected);
        } else {
            sendWithRetries(collected);
        }
    }

    private void sendWithRetries(List<MetricFamily> families) throws PushException {
        RetryPolicy retry = settings.retryPolicy();
        for (int attempt = 1; ; attempt++) {
            try {
                sender.send(families);
                return;
            } catch (AttemptFailure failure) {
                if (!failure.retryable() || attempt >= retry.maxAttempts()) {
                    throw failure.toPushException(settings.transport(), settings.target().describe(), attempt);
                }
                try {
                    Thread.sleep(retry.backoffBefore(attempt));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw interrupted(attempt, e);
                }
                sender.beforeRetry();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw interrupted(attempt, e);
            }
        }
    }

    private PushException interrupted(int attempts, InterruptedException e) {
        return new PushException("push to " + settings.target().describe() + " over " + settings.transport()
                + " was interrupted", settings.transport(), null, null, null, false, attempts, e);
    }

    private void ensureOpen() {
        synchronized (lifecycleLock) {
            if (closed) {
                throw new IllegalStateException("the push client is closed");
            }
        }
    }
}
