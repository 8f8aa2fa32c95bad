package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Series;

/**
 * A native histogram series. Each merge builds a new immutable value and publishes it whole, so
 * a scrape reads one reference and never sees half a merge; merges are serialised.
 */
public final class NativeHistogramCell extends SeriesCell {
    private volatile NativeHistogram value;

    NativeHistogramCell(NativeHistogram first) {
        super(first.labels());
        this.value = first;
    }

    /** The current state: consistent, and never modified afterwards (do not modify its arrays). */
    public NativeHistogram read() {
        return value;
    }

    /**
     * What formats without native buckets (text 0.0.4, OpenMetrics 1.0) show: the classic buckets
     * when any push brought some, otherwise no buckets, with count and sum.
     */
    public HistogramCell.HistogramValues readClassic() {
        NativeHistogram h = value;
        ClassicHistogram classic = h.classic();
        return classic == null
                ? new HistogramCell.HistogramValues(new double[0], new double[0], h.count(), h.sum())
                : new HistogramCell.HistogramValues(classic.upperBounds(), classic.cumulativeCounts(), h.count(), h.sum());
    }

    @Override
    synchronized void add(Series pushed) {
        value = switch (pushed) {
            case NativeHistogram h -> NativeHistogramMerger.add(value, h);
            // only from a push that raced another to create this series; see SeriesKindCheck
            case ClassicHistogram h -> NativeHistogramMerger.addClassicOnly(value, h);
            default -> throw new IllegalArgumentException("not a histogram: " + pushed);
        };
    }
}
