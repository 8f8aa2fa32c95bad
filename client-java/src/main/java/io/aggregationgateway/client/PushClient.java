package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.MetricFamily;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pushes one source of metrics to an aggregation gateway, which adds every push to its sums for
 * Prometheus to scrape. What is pushed and where are fixed when the client is built, as with
 * client_java's {@code PushGateway} and client_golang's {@code Pusher}:
 *
 * <pre>{@code
 * try (PushClient client = PushClient.builder()
 *         .target("localhost:8080").job("checkout")
 *         .registry(PrometheusRegistry.defaultRegistry)   // the default; see PushClientBuilder#source for others
 *         .build()) {
 *     client.push();
 * }
 * }</pre>
 *
 * <p><b>What is sent.</b> A registry holds running totals; the client pushes the increments since
 * its last successful push (everything, the first time), so the gateway's sum equals the
 * registry's total however often it is pushed; see {@link MetricsSource}. With
 * {@link PushClientBuilder#sourceLabel} it pushes the running totals themselves instead, as a source
 * the gateway keeps the last totals of. The client's grouping labels ({@code job} and the others)
 * are added to every series.
 *
 * <p><b>Failures.</b> A push that fails throws a {@link PushException} with the gateway's status
 * and message. Transient failures (the connection failed, gRPC {@code UNAVAILABLE}, HTTP 5xx) are
 * retried with exponential backoff up to the configured number of attempts; a rejected push
 * (HTTP 4xx, gRPC {@code INVALID_ARGUMENT}) is not. Nor is a timeout of an increments push, since the
 * gateway may have applied it; a push of running totals is idempotent, and its timeouts are retried.
 *
 * <p><b>Periodic pushing.</b> {@link #startPeriodicPush} pushes on a daemon thread at a fixed
 * delay; {@link #close()} stops it and pushes one last time, so nothing counted before
 * {@code close()} is lost. {@link #delete()} stops it too and removes the series from the gateway.
 *
 * <p><b>Threads.</b> The client is thread-safe. Pushes and deletes, explicit and periodic, go one
 * at a time: each waits for the one in progress (retries included) to end. The client does no
 * logging, except that a failed periodic push is reported through {@link System.Logger} unless a
 * handler is set with {@link PushClientBuilder#onPeriodicPushFailure}.
 */
public final class PushClient implements AutoCloseable {
    private final ClientSettings settings;
    private final Sender sender;
    /** Held for the whole of a push or delete, retries included, so they never overlap. */
    private final ReentrantLock pushLock = new ReentrantLock();
    private final IncrementTracker increments = new IncrementTracker(); // guarded by pushLock
    private boolean senderClosed; // guarded by pushLock

    /** Taken briefly, also while pushLock is held; pushLock is never taken while holding it. */
    private final Object lifecycleLock = new Object();
    private boolean closed; // guarded by lifecycleLock
    private ScheduledExecutorService schedule; // guarded by lifecycleLock; null when no periodic pushing runs

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
     * Collects the source and pushes it: for running totals (a registry), what changed since this
     * client's last successful push; for a source of increments, what it returns.
     *
     * @throws PushException         if the push failed after all attempts
     * @throws IllegalStateException if the client is closed
     */
    public void push() throws PushException {
        ensureOpen();
        lockForCaller(pushDescription());
        try {
            if (senderClosed) {
                throw new IllegalStateException("the push client is closed");
            }
            pushLocked();
        } finally {
            pushLock.unlock();
        }
    }

    /**
     * Deletes from the gateway every series carrying this client's grouping labels, those other
     * clients pushed with the same labels included ({@code DELETE /metrics/job/<job>/...}, as the
     * Pushgateway's delete; over HTTP whatever the transport, since the gateway's gRPC API has no
     * delete, to the same port). Timeouts are retried too: deleting twice is deleting once.
     *
     * <p>It stops periodic pushing, so that neither the schedule nor {@link #close()} pushes the
     * series back. A push after it sends the source's whole running totals again, as the first
     * push did. {@link #startPeriodicPush} may be called again.
     *
     * @throws PushException         if the delete failed after all attempts; periodic pushing is stopped all the same
     * @throws IllegalStateException if the client is closed
     */
    public void delete() throws PushException {
        ensureOpen();
        stopSchedule();
        String what = "delete at " + settings.target().describe() + GroupingPath.of(settings.groupingLabels());
        lockForCaller(what);
        try {
            if (senderClosed) {
                throw new IllegalStateException("the push client is closed");
            }
            withRetries(what, sender::delete);
            increments.reset();
        } finally {
            pushLock.unlock();
        }
    }

    /**
     * Pushes the source every {@code interval} on a daemon thread, the first time one interval
     * from now, until {@link #close()}, which pushes it one last time, or {@link #delete()}. A
     * failed push goes to the {@linkplain PushClientBuilder#onPeriodicPushFailure failure handler}
     * and the schedule goes on; since running totals are pushed as increments, what a failed push
     * would have sent goes with the next one. The interval runs from the end of one push to the
     * start of the next.
     *
     * @param interval the pause between pushes
     * @throws IllegalStateException    if periodic pushing is running already, or the client is closed
     * @throws IllegalArgumentException if the interval is not positive
     */
    public void startPeriodicPush(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        synchronized (lifecycleLock) {
            ensureOpen();
            if (schedule != null) {
                throw new IllegalStateException("periodic pushing was already started on this client");
            }
            ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "aggregation-gateway-push");
                thread.setDaemon(true); // never keeps the application alive; close() does the final push
                return thread;
            });
            schedule = started;
            long nanos = interval.toNanos();
            started.scheduleWithFixedDelay(() -> periodicPush(started), nanos, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Stops periodic pushing, pushes the source one last time (waiting for a push in progress
     * first), then closes the connection. Without periodic pushing (never started, or stopped by
     * {@link #delete()}) it only closes the connection. Calling it again does nothing.
     *
     * @throws PushException if the final push failed; the client is closed all the same
     */
    @Override
    public void close() throws PushException {
        ScheduledExecutorService stopping;
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closed = true;
            stopping = schedule;
            schedule = null;
        }
        try {
            if (stopping != null) {
                stopping.shutdown(); // no new periodic push starts; one under way keeps the lock until it ends
            }
            // Not interruptible: the final push may fail on an interrupt, but the connection is released.
            pushLock.lock();
            try {
                if (stopping != null && !senderClosed) {
                    pushLocked();
                }
            } finally {
                senderClosed = true;
                pushLock.unlock();
            }
        } finally {
            sender.close();
        }
    }

    /** Ends periodic pushing; a periodic push under way finishes, none starts after it. */
    private void stopSchedule() {
        ScheduledExecutorService stopping;
        synchronized (lifecycleLock) {
            stopping = schedule;
            schedule = null;
        }
        if (stopping != null) {
            stopping.shutdown();
        }
    }

    private void periodicPush(ScheduledExecutorService from) {
        try {
            pushLock.lockInterruptibly();
        } catch (InterruptedException e) {
            return; // the scheduler is shutting down
        }
        try {
            // a push that waited for the lock while delete() or close() stopped its schedule must not run
            if (senderClosed || !isCurrent(from)) {
                return;
            }
            pushLocked();
        } catch (PushException e) {
            report(e);
        } catch (RuntimeException e) {
            report(new PushException("collecting the metrics to push failed: " + e, settings.transport(),
                    null, null, null, false, 0, e));
        } finally {
            pushLock.unlock();
        }
    }

    private boolean isCurrent(ScheduledExecutorService from) {
        synchronized (lifecycleLock) {
            return schedule == from;
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
    private void pushLocked() throws PushException {
        MetricsSource source = settings.source();
        List<MetricFamily> collected = source.collect();
        String what = pushDescription();
        if (settings.runningTotals()) {
            withRetries(what, () -> sender.send(collected)); // the gateway takes the differences itself
        } else if (source.isRunningTotals()) {
            List<MetricFamily> toSend = increments.increments(collected);
            withRetries(what, () -> sender.send(toSend));
            increments.commit(collected);
        } else {
            withRetries(what, () -> sender.send(collected));
        }
    }

    /** One attempt of a push or a delete. */
    private interface Attempt {
        void run() throws AttemptFailure, InterruptedException;
    }

    private void withRetries(String what, Attempt attempt) throws PushException {
        RetryPolicy retry = settings.retryPolicy();
        for (int n = 1; ; n++) {
            try {
                attempt.run();
                return;
            } catch (AttemptFailure failure) {
                if (!failure.retryable() || n >= retry.maxAttempts()) {
                    throw failure.toPushException(what, settings.transport(), n);
                }
                try {
                    Thread.sleep(retry.backoffBefore(n));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw interrupted(what, n, e);
                }
                sender.beforeRetry();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw interrupted(what, n, e);
            }
        }
    }

    private String pushDescription() {
        return "push to " + settings.target().describe() + " over " + settings.transport();
    }

    /** Takes pushLock for a caller's push or delete, which an interrupt may end while it waits. */
    private void lockForCaller(String what) throws PushException {
        try {
            pushLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(what, 0, e);
        }
    }

    private PushException interrupted(String what, int attempts, InterruptedException e) {
        return new PushException(what + " was interrupted", settings.transport(), null, null, null, false, attempts, e);
    }

    private void ensureOpen() {
        synchronized (lifecycleLock) {
            if (closed) {
                throw new IllegalStateException("the push client is closed");
            }
        }
    }
}
