package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.NativeHistogramView;
import io.aggregationgateway.server.model.Series;

/**
 * A native histogram series. Each merge builds a new immutable value and publishes it whole, so
 * a scrape reads one reference and never sees half a merge; merges are serialised.
 */
final class NativeHistogramCell extends SeriesCell implements NativeHistogramView {
    private static final double[] NO_BUCKETS = new double[0];

    private volatile NativeHistogram value;

    NativeHistogramCell(NativeHistogram first) {
        super(first.labels());
        this.value = first;
    }

    @Override
    public NativeHistogram read() {
        return value;
    }

    @Override
    public HistogramValues readClassic() {
        NativeHistogram h = value;
        ClassicHistogram classic = h.classic();
        return classic == null
                ? new HistogramValues(NO_BUCKETS, NO_BUCKETS, h.count(), h.sum())
                : new HistogramValues(classic.upperBounds(), classic.cumulativeCounts(), h.count(), h.sum());
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
