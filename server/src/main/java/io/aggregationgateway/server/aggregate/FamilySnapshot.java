package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricType;

import java.util.List;

/**
 * A family as a scrape sees it.
 *
 * @param series the series sorted by labels; read each through its cell's read method
 */
public record FamilySnapshot(String name, MetricType type, String help, List<SeriesCell> series) {
}
