package io.aggregationgateway.server.selfmetrics;

/**
 * What the engine reports of its sources (senders of running totals).
 *
 * @param live     sources that pushed and are not forgotten
 * @param states   (series, source) states held
 * @param expiries sources forgotten since start because they stopped pushing
 * @param restarts (series, source) pushes since start that showed a restarted source
 */
public record SourceCounts(long live, long states, long expiries, long restarts) {
}
