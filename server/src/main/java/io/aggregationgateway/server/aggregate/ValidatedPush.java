package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricFamily;

import java.util.List;

/**
 * A push that passed validation.
 *
 * @param toApply     families to merge, with final labels and complete histograms
 * @param discarded   families that are dropped by the rules (summaries) but still type-checked
 * @param seriesCount series in {@code toApply}
 */
record ValidatedPush(List<MetricFamily> toApply, List<MetricFamily> discarded, int seriesCount) {
    /**
     * The same push with other values for the same families and series, as a cumulative push
     * merges its differences; what is derived from the values is worked out for the new ones.
     */
    ValidatedPush withValues(List<MetricFamily> families) {
        return new ValidatedPush(families, discarded, seriesCount);
    }
}
