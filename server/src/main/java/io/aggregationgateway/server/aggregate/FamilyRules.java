package io.aggregationgateway.server.aggregate;

/**
 * Rules on the families a push may touch, besides the ones every family obeys.
 *
 * @param allowed            the family names pushes may carry
 * @param maxSeriesPerFamily most series one family may hold, so that one family cannot take all of
 *                           the store's series; {@link Long#MAX_VALUE} for no limit of its own
 */
public record FamilyRules(MetricAllowRules allowed, long maxSeriesPerFamily) {
    /** Any name, no per-family limit. */
    public static final FamilyRules NONE = new FamilyRules(MetricAllowRules.ANY, Long.MAX_VALUE);

    public FamilyRules {
        if (maxSeriesPerFamily < 1) {
            throw new IllegalArgumentException("maxSeriesPerFamily must be at least 1, got " + maxSeriesPerFamily);
        }
    }
}
