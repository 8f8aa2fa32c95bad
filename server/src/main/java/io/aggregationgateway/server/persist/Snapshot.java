package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.aggregate.StoreImage;

import java.time.Instant;
import java.util.Optional;

/**
 * What a snapshot file holds: the engine's state and when the reset schedule last cleared it.
 *
 * @param store     the engine's state, with the time it was taken
 * @param lastReset when the reset schedule last cleared the aggregate, if it has since start
 * @param writer    the build that wrote it ({@code aggregation-gateway 0.1.0}), for messages; empty if unknown
 */
public record Snapshot(StoreImage store, Optional<Instant> lastReset, String writer) {
    public Instant takenAt() {
        return Instant.ofEpochMilli(store.takenAtMillis());
    }
}
