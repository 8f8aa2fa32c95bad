package io.aggregationgateway.server.persist;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How snapshot writes have gone since start.
 *
 * @param lastSuccess  when the last snapshot that was written had been taken
 * @param lastDuration how long that write took, from taking the image to the renamed file
 * @param lastBytes    that file's size
 * @param lastSeries   the series it holds
 * @param written      snapshots written since start
 * @param failed       snapshot writes that failed since start
 * @param lastFailure  when the last failure happened and what it was, if any did
 */
public record PersistenceStats(Optional<Instant> lastSuccess, Duration lastDuration, long lastBytes, long lastSeries,
                               long written, long failed, Optional<Failure> lastFailure) {
    static final PersistenceStats NONE = new PersistenceStats(Optional.empty(), Duration.ZERO, 0, 0, 0, 0, Optional.empty());

    /** A failed write: when, and the error's message. */
    public record Failure(Instant at, String message) {
    }

    PersistenceStats succeeded(Instant takenAt, Duration duration, long bytes, long series) {
        return new PersistenceStats(Optional.of(takenAt), duration, bytes, series, written + 1, failed, lastFailure);
    }

    PersistenceStats failed(Instant at, String message) {
        return new PersistenceStats(lastSuccess, lastDuration, lastBytes, lastSeries, written, failed + 1,
                Optional.of(new Failure(at, message)));
    }
}
