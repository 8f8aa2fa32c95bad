package io.aggregationgateway.server.aggregate;

import java.util.List;

/**
 * Everything an {@link Aggregator} holds that shapes a scrape or a future push, as plain values at
 * one moment: what a snapshot file holds. {@link Aggregator#image()} takes one, {@link Aggregator#restore}
 * loads one into an empty engine.
 *
 * @param takenAtMillis when it was taken, wall-clock milliseconds
 * @param families      sorted by name
 * @param sourceLabels  the source labels the sources' keys were recognised by
 * @param nextSourceId  the id the next new source gets (ids are never reused while their gauge values may be held)
 * @param sources       the sources that pushed and are not forgotten
 */
public record StoreImage(long takenAtMillis, List<FamilyImage> families, List<String> sourceLabels, int nextSourceId,
                         List<SourceImage> sources) {
    public StoreImage {
        families = List.copyOf(families);
        sourceLabels = List.copyOf(sourceLabels);
        sources = List.copyOf(sources);
    }

    /** Series over all families. */
    public long seriesCount() {
        return families.stream().mapToLong(f -> f.series().size()).sum();
    }

    /** (series, source) states over all sources. */
    public long stateCount() {
        return sources.stream().flatMap(s -> s.tables().stream()).mapToLong(t -> t.baselines().size()).sum();
    }
}
