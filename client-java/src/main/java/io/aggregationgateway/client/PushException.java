package io.aggregationgateway.client;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A push that did not succeed, after all the attempts the client was allowed to make.
 *
 * <p>It says which transport failed, what the gateway answered (the HTTP status or the gRPC
 * status code, and the gateway's message, which for a rejected push names the family, the series
 * and the reason), whether the failure was of a kind that is retried, and how many attempts were
 * made. When no answer arrived (the connection failed), the cause is the I/O error.
 */
public final class PushException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The transport the push was sent over. */
    private final Transport transport;
    /** The HTTP status of the last response, or null. */
    private final Integer httpStatus;
    /** The gRPC status code's name, or null. */
    private final String grpcStatus;
    /** The gateway's message, or null. */
    private final String serverMessage;
    /** Whether the last failure was of a retried kind. */
    private final boolean retryable;
    /** Attempts made. */
    private final int attempts;

    PushException(String message, Transport transport, Integer httpStatus, String grpcStatus, String serverMessage,
                  boolean retryable, int attempts, Throwable cause) {
        super(message, cause);
        this.transport = Objects.requireNonNull(transport, "transport");
        this.httpStatus = httpStatus;
        this.grpcStatus = grpcStatus;
        this.serverMessage = serverMessage;
        this.retryable = retryable;
        this.attempts = attempts;
    }

    /**
     * The transport the push was sent over.
     *
     * @return the client's transport
     */
    public Transport transport() {
        return transport;
    }

    /**
     * The HTTP status code of the last attempt's response, for the HTTP transports.
     *
     * @return the status (for example 400 for a rejected push, 413 for a body over the limit), or
     *         empty when the transport is gRPC or no response arrived
     */
    public OptionalInt httpStatus() {
        return httpStatus == null ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /**
     * The gRPC status code of the last attempt, for the gRPC transport.
     *
     * @return the code's name as in {@code io.grpc.Status.Code} (for example
     *         {@code INVALID_ARGUMENT}, {@code UNAVAILABLE}), or empty for the HTTP transports
     */
    public Optional<String> grpcStatus() {
        return Optional.ofNullable(grpcStatus);
    }

    /**
     * What the gateway said about the last attempt: the HTTP response body (trimmed) or the gRPC
     * status description. For a rejected push it names the family, the series and the reason.
     *
     * @return the message, or empty when there was none (for example no response arrived over HTTP)
     */
    public Optional<String> serverMessage() {
        return Optional.ofNullable(serverMessage);
    }

    /**
     * Whether the last failure was transient (connection failed, gRPC {@code UNAVAILABLE}, HTTP
     * 5xx), so the push was retried until the attempts ran out. {@code false} for failures that
     * a retry cannot fix (HTTP 4xx, gRPC {@code INVALID_ARGUMENT}, {@code RESOURCE_EXHAUSTED}, a
     * TLS handshake that failed) and for timeouts, which are not retried because the gateway may have applied the push and
     * a second copy would be added to the sums.
     *
     * @return whether the failure was of a retried kind
     */
    public boolean isRetryable() {
        return retryable;
    }

    /**
     * How many attempts were made, the first one included.
     *
     * @return at most the client's configured maximum; 0 when nothing was sent (a periodic push
     *         whose source failed, or a push interrupted while waiting for another)
     */
    public int attempts() {
        return attempts;
    }
}
