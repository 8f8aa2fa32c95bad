package io.aggregationgateway.server.security;

import java.net.SocketAddress;

/**
 * Where the guards report each push they turn away (no or wrong credentials, a user without the
 * push role, over the rate limit), so that it is counted and listed with the pushes the gateway
 * refuses for what they carry. Only pushes: a refused scrape or delete is not one. Called on the
 * request's own thread, before the refusal is sent; it must be quick and must not throw.
 */
@FunctionalInterface
public interface RefusedPushes {
    /** Reports nothing. */
    RefusedPushes NONE = refusal -> {
    };

    void refused(Refusal refusal);

    /** What the guard refused a push for. */
    enum Why {
        /** {@code 401}, gRPC {@code UNAUTHENTICATED}. */
        UNAUTHENTICATED,
        /** {@code 403}, gRPC {@code PERMISSION_DENIED}. */
        FORBIDDEN,
        /** {@code 429}, gRPC {@code RESOURCE_EXHAUSTED}. */
        RATE_LIMITED
    }

    /**
     * @param peer        the connection's peer, or {@code null} when not known
     * @param route       the HTTP method and path ({@code POST /metrics/job/a}) or the gRPC method's full name
     * @param grpc        whether it came over gRPC
     * @param contentType the HTTP request's {@code Content-Type}, or {@code null} (gRPC, or none sent)
     * @param why         what it was refused for
     * @param message     what the sender was told
     */
    record Refusal(SocketAddress peer, String route, boolean grpc, String contentType, Why why, String message) {
    }
}
