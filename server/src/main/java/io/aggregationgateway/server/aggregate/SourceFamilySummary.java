package io.aggregationgateway.server.aggregate;

/**
 * How many live sources push a family, for the status page.
 *
 * @param family  the family name
 * @param sources sources holding at least one state of it
 * @param states  (series, source) states of it
 */
public record SourceFamilySummary(String family, int sources, long states) {
}
