package io.aggregationgateway.server.aggregate;

import java.time.Duration;

/**
 * What the engine enforces.
 *
 * @param reservedPrefix        metric name prefix pushes may not use ("" for none): the gateway's own metrics
 * @param maxSeries             most series the store holds; a push that would need more is refused whole
 * @param maxLabelsPerSeries    most labels one series may carry, grouping labels included
 * @param maxLabelValueBytes    longest label value, in UTF-8 bytes
 * @param seriesTtl             a series not pushed to for this long is forgotten; {@link Duration#ZERO} for never
 * @param maxStoreBytes         most heap the store may take, as {@link Footprint} estimates it; a push that
 *                              would need more is refused whole
 */
public record EngineSettings(String reservedPrefix, long maxSeries, int maxLabelsPerSeries,
                             int maxLabelValueBytes, Duration seriesTtl, long maxStoreBytes) {
    /** Settings without a byte budget. */
    public EngineSettings(String reservedPrefix, long maxSeries, int maxLabelsPerSeries, int maxLabelValueBytes,
                          Duration seriesTtl) {
        this(reservedPrefix, maxSeries, maxLabelsPerSeries, maxLabelValueBytes, seriesTtl, Long.MAX_VALUE);
    }

    /** No limits worth mentioning and no expiry: what tests of the rules themselves want. */
    public static EngineSettings unlimited(String reservedPrefix) {
        return new EngineSettings(reservedPrefix, Long.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ZERO);
    }

    boolean expires() {
        return !seriesTtl.isZero();
    }
}
