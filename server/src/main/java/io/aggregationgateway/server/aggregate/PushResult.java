package io.aggregationgateway.server.aggregate;

/**
 * What an accepted push did.
 *
 * @param families   families merged (summaries, which are discarded, not counted)
 * @param series     series merged
 * @param newSeries  of those, series the store did not hold before
 */
public record PushResult(int families, int series, int newSeries) {
}
