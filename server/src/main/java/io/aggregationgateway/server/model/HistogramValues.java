package io.aggregationgateway.server.model;

/**
 * A classic histogram's state as a scrape reads it.
 *
 * @param bounds     ascending upper bounds, the last one {@code +Inf}; empty when there are no buckets
 * @param cumulative cumulative count per bound
 */
public record HistogramValues(double[] bounds, double[] cumulative, double count, double sum) {
}
