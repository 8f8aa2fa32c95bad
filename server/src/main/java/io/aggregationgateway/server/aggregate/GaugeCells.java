package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;

/**
 * Which families keep their series in {@link GaugeCell}s: gauge and untyped families whose mode is
 * not {@code sum}, and all of them once sources are configured (a source's value must be able to
 * leave the sum when the source is forgotten). Fixed by the configuration, so the validator can
 * count a push's bytes before the store is looked at.
 *
 * @param modes   the {@code --gauge-mode} rules
 * @param sources whether source labels are configured
 */
record GaugeCells(GaugeModes modes, boolean sources) {
    /** The mode of the family's GaugeCells, or {@code null} when its series are plain sums or histograms. */
    GaugeMode modeOf(String family, MetricType type) {
        if (type != MetricType.GAUGE && type != MetricType.UNTYPED) {
            return null;
        }
        GaugeMode mode = modes.modeOf(family);
        return mode == GaugeMode.SUM && !sources ? null : mode;
    }

    /**
     * Whether families of this type may keep GaugeCells, without looking at their names: an upper
     * bound of the bytes a push takes needs no regular expressions.
     */
    boolean mayHold(MetricType type) {
        return (type == MetricType.GAUGE || type == MetricType.UNTYPED) && (sources || !modes.allSum());
    }

    /** What a new series of {@code family} pushed as {@code pushed} takes of the byte budget once stored. */
    long footprintOfNew(MetricFamily family, Series pushed) {
        return Footprint.ofNewSeries(pushed, pushed instanceof ScalarSample && modeOf(family.name(), family.type()) != null);
    }
}
