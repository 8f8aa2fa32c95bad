package io.aggregationgateway.server.model;

/**
 * A push that is refused as a whole; nothing of it has been applied. The message names
 * where (line, family, series) and what was wrong, and is meant for the sender.
 */
public final class PushRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    public PushRejectedException(RejectionReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }
}
