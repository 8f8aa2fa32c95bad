package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.ClassicHistogramView;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Series;

/** A classic histogram series; updates and reads are synchronised so a read never sees a half merge. */
final class HistogramCell extends SeriesCell implements ClassicHistogramView {
    private double[] bounds;
    private double[] cumulative;
    private double count;
    private double sum;

    HistogramCell(ClassicHistogram first) {
        super(first.labels());
        this.bounds = first.upperBounds().clone();
        this.cumulative = first.cumulativeCounts().clone();
        this.count = first.count();
        this.sum = first.sum();
    }

    @Override
    public synchronized HistogramValues read() {
        return new HistogramValues(bounds.clone(), cumulative.clone(), count, sum);
    }

    @Override
    synchronized void add(Series pushed) {
        // a native push lands here only when it raced a classic one to create the series (see SeriesKindCheck)
        ClassicHistogram h = pushed instanceof NativeHistogram n ? NativeHistogramMerger.classicView(n) : (ClassicHistogram) pushed;
        HistogramMerger.Buckets merged = HistogramMerger.add(bounds, cumulative, h.upperBounds(), h.cumulativeCounts());
        bounds = merged.bounds();
        cumulative = merged.cumulative();
        count += h.count();
        sum += h.sum();
    }
}
