package io.aggregationgateway.server.persist;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how often the engine's state is saved.
 *
 * @param file          the snapshot file
 * @param interval      how often a snapshot is written (one more is written when the gateway stops)
 * @param ignoreInvalid whether a file that cannot be loaded is moved aside and the gateway starts
 *                      empty, instead of refusing to start
 */
public record PersistenceSettings(Path file, Duration interval, boolean ignoreInvalid) {
    public PersistenceSettings {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("the snapshot interval must be positive: " + interval);
        }
    }
}
