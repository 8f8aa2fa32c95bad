package io.aggregationgateway.server.status;

import io.aggregationgateway.server.persist.Persistence;
import io.aggregationgateway.server.persist.PersistenceStats;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The status page's "Snapshots" section, shown when a {@code --persistence-file} is set: the file,
 * the interval, how the last write went and what was loaded at start.
 */
public final class PersistenceSection {
    static final String KEY = "snapshots";

    private PersistenceSection() {
    }

    /** @param loaded what was loaded at start, if anything */
    public static Supplier<Section> of(Persistence persistence, Optional<Persistence.Loaded> loaded) {
        return () -> section(persistence, loaded);
    }

    static Section section(Persistence persistence, Optional<Persistence.Loaded> loaded) {
        PersistenceStats stats = persistence.stats();
        boolean written = stats.written() > 0;
        return new Section(KEY, "Snapshots", new Section.Facts(List.of(
                new Section.Fact("file", "File", persistence.settings().file().toAbsolutePath().toString()),
                new Section.Fact("interval", "Written every", persistence.settings().interval()),
                new Section.Fact("loadedTakenAt", "Loaded at start, taken at", loaded.map(Persistence.Loaded::takenAt).orElse(null)),
                new Section.Fact("loadedSeries", "Series loaded at start", loaded.map(l -> l.summary().series()).orElse(null)),
                new Section.Fact("lastSnapshot", "Last snapshot taken at", stats.lastSuccess().orElse(null)),
                new Section.Fact("lastDuration", "Its write took", written ? stats.lastDuration() : null),
                new Section.Fact("lastBytes", "Its size in bytes", written ? stats.lastBytes() : null),
                new Section.Fact("lastSeries", "Its series", written ? stats.lastSeries() : null),
                new Section.Fact("written", "Written since start", stats.written()),
                new Section.Fact("failed", "Failed since start", stats.failed()),
                new Section.Fact("lastFailureAt", "Last failure", stats.lastFailure().map(PersistenceStats.Failure::at).orElse(null)),
                new Section.Fact("lastFailure", "Last failure's error", stats.lastFailure().map(PersistenceStats.Failure::message).orElse(null)))));
    }
}
