package io.aggregationgateway.server.connection;

import java.time.Duration;

/**
 * How the gateway guards its connections.
 *
 * @param maxConnections    most connections open at once; more wait in the kernel's accept queue
 * @param idleTimeout       a connection with no request in progress for this long is closed
 * @param headerReadTimeout a request head (request line and headers) must arrive within this long
 *                          of its first byte; a new connection's first head, within this long of
 *                          its opening
 */
public record ConnectionSettings(int maxConnections, Duration idleTimeout, Duration headerReadTimeout) {
    /** Longest request line; longer ones get 414. */
    public static final int MAX_REQUEST_LINE_BYTES = 8192;
    /** Largest header section; larger ones get 431. */
    public static final int MAX_HEADER_BYTES = 16384;
    /** Most header fields in one request; more get 431. */
    public static final int MAX_HEADER_FIELDS = 128;

    public ConnectionSettings {
        if (maxConnections < 1 || idleTimeout.isNegative() || idleTimeout.isZero()
                || headerReadTimeout.isNegative() || headerReadTimeout.isZero()) {
            throw new IllegalArgumentException("connection limits must be positive: " + maxConnections + ", "
                    + idleTimeout + ", " + headerReadTimeout);
        }
    }

    Http1RequestFramer.Limits framingLimits() {
        return new Http1RequestFramer.Limits(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, MAX_HEADER_FIELDS);
    }
}
