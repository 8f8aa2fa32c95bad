package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;

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
 * @param utf8LabelNames whether a series in {@code toApply} may have a label name outside the legacy
 *                    character set: when not, the merge need not look at the names of its new series again
 */
record ValidatedPush(List<MetricFamily> toApply, List<MetricFamily> discarded, int seriesCount, long bytesIfNew,
                     double magnitude, boolean utf8LabelNames) {
    /**
     * A validated push with what is derived from its families worked out; its bytes are counted as
     * if every gauge were stored in a {@link GaugeCell} where one may be, the larger of the two.
     */
    static ValidatedPush of(List<MetricFamily> toApply, List<MetricFamily> discarded, int seriesCount,
                            boolean utf8LabelNames, GaugeCells gaugeCells) {
        long bytesIfNew = 0;
        double magnitude = 0;
        for (MetricFamily family : toApply) {
            bytesIfNew += Footprint.ofFamily(family.name(), family.help());
            boolean gaugeCell = gaugeCells.mayHold(family.type());
            for (Series s : family.series()) {
                bytesIfNew += Footprint.ofNewSeries(s, gaugeCell && s instanceof ScalarSample);
                magnitude = Math.max(magnitude, Overflow.magnitude(s));
            }
        }
        return new ValidatedPush(toApply, discarded, seriesCount, bytesIfNew, magnitude, utf8LabelNames);
    }

    /**
     * The same push with other values for the same families and series, as a cumulative push
     * merges its differences; what is derived from the values is worked out for the new ones.
     */
    ValidatedPush withValues(List<MetricFamily> families, GaugeCells gaugeCells) {
        return of(families, discarded, seriesCount, utf8LabelNames, gaugeCells); // the same series: no new names
    }
}
