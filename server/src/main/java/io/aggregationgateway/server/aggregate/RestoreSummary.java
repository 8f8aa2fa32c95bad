package io.aggregationgateway.server.aggregate;

/**
 * What {@link Aggregator#restore} loaded.
 *
 * @param families        families held afterwards
 * @param series          series held afterwards
 * @param sources         sources held afterwards
 * @param states          (series, source) states held afterwards
 * @param droppedSources  sources left out because the image's source labels are not the engine's
 * @param expiredSeries   series the series TTL removed at once
 * @param expiredSources  sources the source TTL removed at once
 */
public record RestoreSummary(int families, long series, long sources, long states, int droppedSources,
                             long expiredSeries, long expiredSources) {
}
