package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricType;

/**
 * How many live sources push a family, for the status page.
 *
 * @param family  the family name
 * @param type    the type the sources push it as
 * @param sources sources holding at least one state of it
 * @param states  (series, source) states of it
 */
public record SourceFamilySummary(String family, MetricType type, int sources, long states) {
}
