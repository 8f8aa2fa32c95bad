package io.aggregationgateway.server.connection;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One connection from the moment it is accepted: under the header-read deadline until it shows
 * whether it speaks HTTP/2 (the prior-knowledge preface, as gRPC clients send it) or HTTP/1.x, then
 * handled by Helidon's connection for that protocol; HTTP/1.x through {@link FramedHttp1}, which keeps
 * the deadline on every request head and counts the time between requests as idle.
 */
final class GuardedConnection implements ServerConnection, InterruptableTask<Void> {
    private static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long NONE = Long.MIN_VALUE;

    private final ConnectionContext ctx;
    private final ServerConnectionSelector http2;
    private final ServerConnectionSelector http1;
    private final Http1RequestFramer.Limits limits;
    private final ConnectionWatchdog watchdog;

    private volatile ServerConnection delegate;
    private volatile FramedHttp1 framed;
    private volatile long headDeadline;
    private volatile long idleSince = NONE;
    private volatile boolean closedHere;

    GuardedConnection(ConnectionContext ctx, ServerConnectionSelector http2, ServerConnectionSelector http1,
                      Http1RequestFramer.Limits limits, ConnectionWatchdog watchdog) {
        this.ctx = ctx;
        this.http2 = http2;
        this.http1 = http1;
        this.limits = limits;
        this.watchdog = watchdog;
        this.headDeadline = System.nanoTime() + watchdog.headerReadTimeoutNanos();
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        watchdog.watch(this);
        try {
            ServerConnection connection;
            if (startsWithHttp2Preface()) {
                headDeadline = NONE; // HTTP/2 frames: Helidon's idle timeout governs the connection
                connection = http2.connection(ctx);
            } else {
                FramedHttp1 http = new FramedHttp1(ctx, this, new Http1RequestFramer(limits, defaultHost()));
                framed = http;
                connection = http1.connection(http.context());
            }
            delegate = connection;
            if (closedHere) {
                return;
            }
            connection.handle(limit);
        } catch (DataReader.InsufficientDataAvailableException e) {
            throw new CloseConnectionException("closed before a request", e);
        } catch (RuntimeException e) {
            if (closedHere) {
                throw new CloseConnectionException("closed by the gateway", e);
            }
            throw e;
        } finally {
            watchdog.forget(this);
        }
    }

    /** Looks at the first bytes without consuming them; waits for more only while they could be the preface. */
    private boolean startsWithHttp2Preface() {
        DataReader reader = ctx.dataReader();
        while (true) {
            reader.ensureAvailable();
            int n = Math.min(reader.available(), HTTP2_PREFACE.length);
            BufferData first = reader.getBuffer(n);
            for (int i = 0; i < n; i++) {
                if ((byte) first.read() != HTTP2_PREFACE[i]) {
                    return false;
                }
            }
            if (n == HTTP2_PREFACE.length) {
                return true;
            }
            reader.pullData();
        }
    }

    /** What a request without {@code Host} (HTTP/1.0) is taken to have asked for: this side's address. */
    private String defaultHost() {
        String host = ctx.localPeer().host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + ctx.localPeer().port();
    }

    // ---- called by FramedHttp1 as requests come and go

    /** Bytes of a new request head arrived: it must be complete within the header-read timeout. */
    void headStarted() {
        if (idleSince != NONE) {
            headDeadline = System.nanoTime() + watchdog.headerReadTimeoutNanos();
            idleSince = NONE;
        }
    }

    /** A request head is complete: no deadline while the request is handled. */
    void headDone() {
        headDeadline = NONE;
    }

    /** The previous request is answered and the next has not begun: the connection is idle. */
    void idle() {
        idleSince = System.nanoTime();
    }

    /** Whether the gateway closed this connection itself (an overdue head, idle, stopping). */
    boolean closedHere() {
        return closedHere;
    }

    // ---- called by the watchdog and by Helidon

    void closeIfHeadOverdue(long now) {
        long deadline = headDeadline;
        if (deadline != NONE && now - deadline > 0) {
            ctx.log(System.getLogger(GuardedConnection.class.getName()), System.Logger.Level.DEBUG,
                    "closing: no complete request head within the header-read timeout");
            closeSocket();
        }
    }

    private synchronized void closeSocket() {
        if (closedHere) {
            return;
        }
        closedHere = true;
        headDeadline = NONE;
        try {
            ctx.serverSocket().close();
        } catch (UncheckedIOException e) {
            // closed already, by the client or by Helidon
        }
    }

    @Override
    public Duration idleTime() {
        long since = idleSince;
        if (since != NONE) {
            return Duration.ofNanos(System.nanoTime() - since);
        }
        ServerConnection connection = delegate;
        FramedHttp1 http = framed;
        if (connection == null || http != null) {
            return Duration.ZERO; // identifying, or in an HTTP/1.x request: the header-read timeout or the request's own pace applies
        }
        return connection.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
        ServerConnection connection = delegate;
        if (connection == null || idleSince != NONE) {
            closeSocket(); // nothing in progress: no need to wait for anything
        } else {
            connection.close(interrupt);
        }
    }

    @Override
    public boolean canInterrupt() {
        ServerConnection connection = delegate;
        return connection == null || idleSince != NONE
                || (connection instanceof InterruptableTask<?> task && task.canInterrupt());
    }
}
