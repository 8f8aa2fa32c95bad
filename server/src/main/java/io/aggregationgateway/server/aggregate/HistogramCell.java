package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.ClassicHistogramView;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Series;

/** A classic histogram series; updates and reads are synchronised so a read never sees a half merge. */
final class HistogramCell extends SeriesCell implements ClassicHistogramView {
    private double[] bounds;
    private double[] cumulative;
    private double count;
    private double sum;

    HistogramCell(ClassicHistogram first, long startMillis) {
        super(first.labels(), startMillis);
        this.bounds = first.upperBounds().clone();
        this.cumulative = first.cumulativeCounts().clone();
        this.count = first.count();
        this.sum = first.sum();
    }

    /** A series holding {@code values}, which it takes over: a scrape's copy. */
    HistogramCell(Labels labels, HistogramValues values, long startMillis) {
        super(labels, startMillis);
        this.bounds = values.bounds();
        this.cumulative = values.cumulative();
        this.count = values.count();
        this.sum = values.sum();
    }

    @Override
    public synchronized HistogramValues read() {
        return new HistogramValues(bounds.clone(), cumulative.clone(), count, sum);
    }

    @Override
    synchronized boolean add(Series pushed, PushTally grown) {
        // a native push lands here only when it raced a classic one to create the series (see SeriesKindCheck)
        ClassicHistogram h = pushed instanceof NativeHistogram n ? NativeHistogramMerger.classicView(n) : (ClassicHistogram) pushed;
        int boundsBefore = bounds.length;
        HistogramMerger.Buckets merged = HistogramMerger.add(bounds, cumulative, h.upperBounds(), h.cumulativeCounts());
        bounds = merged.bounds();
        cumulative = merged.cumulative();
        count += h.count();
        sum += h.sum();
        if (bounds.length != boundsBefore) {
            grown.bytes += Footprint.classicCell(bounds.length) - Footprint.classicCell(boundsBefore);
        }
        return Math.max(count, Math.abs(sum)) > Overflow.NEAR;
    }

    @Override
    synchronized String overflow(Series pushed) {
        ClassicHistogram h = pushed instanceof NativeHistogram n ? NativeHistogramMerger.classicView(n) : (ClassicHistogram) pushed;
        String countOverflow = Overflow.check("_count: ", count, h.count());
        return countOverflow != null ? countOverflow : Overflow.check("_sum: ", sum, h.sum());
    }

    /** Two more array slots for each pushed bound the series lacks. */
    @Override
    synchronized long growthBound(Series pushed) {
        double[] pushedBounds = pushed instanceof ClassicHistogram h ? h.upperBounds() : new double[] {Double.POSITIVE_INFINITY};
        int missing = 0;
        for (double bound : pushedBounds) {
            missing += java.util.Arrays.binarySearch(bounds, bound) >= 0 ? 0 : 1;
        }
        return Footprint.classicCell(bounds.length + missing) - Footprint.classicCell(bounds.length);
    }

    @Override
    synchronized double magnitude() {
        return Math.max(count, Math.abs(sum));
    }

    @Override
    synchronized long valueFootprint() {
        return Footprint.classicCell(bounds.length);
    }

    @Override
    SeriesImage image() {
        return new SeriesImage.Classic(labels(), lastPushMillis(), startMillis(), read());
    }

    @Override
    Object capture() {
        return read();
    }
}
