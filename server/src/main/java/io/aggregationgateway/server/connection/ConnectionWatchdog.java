package io.aggregationgateway.server.connection;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections whose request head is overdue ({@link ConnectionSettings#headerReadTimeout()}).
 * One daemon thread looks at every open connection a few times per timeout: a deadline costs each
 * request two volatile writes, and a slow client cannot delay anyone else's check, since closing
 * a socket does not block.
 */
public final class ConnectionWatchdog implements AutoCloseable {
    private final Set<GuardedConnection> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sweeper;
    private final long headerReadTimeoutNanos;

    private ConnectionWatchdog(Duration headerReadTimeout) {
        this.headerReadTimeoutNanos = headerReadTimeout.toNanos();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "connection-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        long period = sweepPeriod(headerReadTimeout).toMillis();
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    public static ConnectionWatchdog start(Duration headerReadTimeout) {
        return new ConnectionWatchdog(headerReadTimeout);
    }

    /** A fifth of the timeout, between 50 ms and 1 s: an overdue head is closed at most that late. */
    static Duration sweepPeriod(Duration headerReadTimeout) {
        long millis = headerReadTimeout.toMillis() / 5;
        return Duration.ofMillis(Math.max(50, Math.min(1000, millis)));
    }

    long headerReadTimeoutNanos() {
        return headerReadTimeoutNanos;
    }

    void watch(GuardedConnection connection) {
        connections.add(connection);
    }

    void forget(GuardedConnection connection) {
        connections.remove(connection);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (GuardedConnection connection : connections) {
            connection.closeIfHeadOverdue(now);
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
