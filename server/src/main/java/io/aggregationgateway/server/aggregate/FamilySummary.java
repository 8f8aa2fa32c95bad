package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricType;

/**
 * What the store holds of one family, without its values: for the status page and its JSON API.
 *
 * @param series         live series held
 * @param lastPushMillis wall-clock millis of the newest push to any of its series
 */
public record FamilySummary(String name, MetricType type, String help, int series, long lastPushMillis) {
}
