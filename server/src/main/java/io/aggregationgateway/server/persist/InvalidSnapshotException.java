package io.aggregationgateway.server.persist;

/**
 * A snapshot file that cannot be loaded: not a snapshot, of a version this build does not read,
 * truncated, or corrupt. The message says what is wrong, in a few words and without the file's
 * name, which the caller adds.
 */
public final class InvalidSnapshotException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidSnapshotException(String message) {
        super(message);
    }
}
