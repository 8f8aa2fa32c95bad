package io.aggregationgateway.server.persist;

/**
 * The snapshot file exists but cannot be loaded, so the gateway does not start: the message is one
 * line naming the file, what is wrong with it, and how to start anyway.
 */
public final class SnapshotLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    SnapshotLoadException(String message) {
        super(message);
    }
}
