package io.aggregationgateway.client;

/**
 * One failed attempt, as a sender saw it. The client retries it or turns the last one into a
 * {@link PushException}.
 */
final class AttemptFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final Integer httpStatus;
    private final String grpcStatus;
    private final String serverMessage;
    private final boolean retryable;

    private AttemptFailure(String message, Integer httpStatus, String grpcStatus, String serverMessage,
                           boolean retryable, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.grpcStatus = grpcStatus;
        this.serverMessage = serverMessage;
        this.retryable = retryable;
    }

    /** The gateway answered with a non-2xx status; 5xx are worth retrying, 4xx never. */
    static AttemptFailure httpStatus(int status, String body) {
        String message = body.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + body;
        return new AttemptFailure(message, status, null, body.isEmpty() ? null : body, status >= 500, null);
    }

    /** No HTTP response arrived. */
    static AttemptFailure httpIo(String what, boolean retryable, Throwable cause) {
        return new AttemptFailure(what, null, null, null, retryable, cause);
    }

    /** A gRPC call ended with a non-OK status. */
    static AttemptFailure grpc(String code, String description, boolean retryable, Throwable cause) {
        String message = code + (description == null ? "" : ": " + description);
        if (cause != null && cause.getMessage() != null) {
            message += " (" + cause.getMessage() + ")"; // e.g. "Connection refused: /127.0.0.1:9091"
        }
        return new AttemptFailure(message, null, code, description, retryable, cause);
    }

    boolean retryable() {
        return retryable;
    }

    /** @param what what failed, e.g. "push to http://gateway:8080 over GRPC" */
    PushException toPushException(String what, Transport transport, int attempts) {
        String message = what + " failed" + (attempts > 1 ? " after " + attempts + " attempts" : "") + ": " + getMessage();
        return new PushException(message, transport, httpStatus, grpcStatus, serverMessage, retryable, attempts,
                getCause());
    }
}
