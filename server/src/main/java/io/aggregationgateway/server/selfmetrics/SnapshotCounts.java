package io.aggregationgateway.server.selfmetrics;

import java.time.Instant;
import java.util.Optional;

/**
 * How the snapshot file's writes have gone since start (see {@code --persistence-file}).
 *
 * @param lastSuccess     when the state in the newest written snapshot was taken, if one was written
 * @param durationSeconds how long that write took
 * @param bytes           that snapshot's size
 * @param written         snapshots written since start
 * @param failed          writes that failed since start
 */
public record SnapshotCounts(Optional<Instant> lastSuccess, double durationSeconds, long bytes, long written, long failed) {
}
