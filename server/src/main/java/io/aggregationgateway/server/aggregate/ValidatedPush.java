package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricFamily;

import java.util.List;

/**
 * A push that passed validation.
 *
 * @param toApply     families to merge, with final labels and complete histograms
 * @param discarded   families that are dropped by the rules (summaries) but still type-checked
 * @param seriesCount series in {@code toApply}
 * @param bytesIfNew  what {@code toApply} would take of the byte budget if every family and series were new
 *                    (also at least what merging it into existing series can add)
 * @param magnitude   the largest magnitude among the values in {@code toApply} (see {@link Overflow})
 */
record ValidatedPush(List<MetricFamily> toApply, List<MetricFamily> discarded, int seriesCount, long bytesIfNew,
                     double magnitude) {
}
