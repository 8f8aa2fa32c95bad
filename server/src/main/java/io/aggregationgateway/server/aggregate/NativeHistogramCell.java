package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.NativeHistogramView;
import io.aggregationgateway.server.model.Series;

/**
 * A native histogram series. Each merge publishes a new value whole, so a reader gets one
 * reference and never sees half a merge; merges and reads are serialised on the cell.
 *
 * <p>Copy on write: a value a reader has been given is never modified. A merge adds into the count
 * arrays that an earlier merge of this cell made, as long as no reader has been given the value
 * since ({@link #writable}); every way out of the cell ({@link #read}, {@link #readClassic},
 * {@link #image}, {@link #capture}) clears that first. Pushes usually come between scrapes many at
 * a time, so most merges allocate no new arrays.
 */
final class NativeHistogramCell extends SeriesCell implements NativeHistogramView {
    private static final double[] NO_BUCKETS = new double[0];

    private volatile NativeHistogram value;
    /** The arrays of {@link #value} that the next merge may add into; guarded by this. */
    private NativeHistogramMerger.Writable writable = NativeHistogramMerger.Writable.NONE;

    NativeHistogramCell(NativeHistogram first, long startMillis) {
        this(first.labels(), first, startMillis);
    }

    /** @param value the first value, or a scrape's copy; never modified */
    NativeHistogramCell(Labels labels, NativeHistogram value, long startMillis) {
        super(labels, startMillis);
        this.value = value;
    }

    @Override
    public NativeHistogram read() {
        return shown();
    }

    /** The value, which from now on is never modified: a reader holds it. */
    private synchronized NativeHistogram shown() {
        writable = NativeHistogramMerger.Writable.NONE;
        return value;
    }

    @Override
    public HistogramValues readClassic() {
        NativeHistogram h = shown();
        ClassicHistogram classic = h.classic();
        return classic == null
                ? new HistogramValues(NO_BUCKETS, NO_BUCKETS, h.count(), h.sum())
                : new HistogramValues(classic.upperBounds(), classic.cumulativeCounts(), h.count(), h.sum());
    }

    @Override
    synchronized boolean add(Series pushed, PushTally grown) {
        NativeHistogram before = value;
        NativeHistogram after;
        switch (pushed) {
            case NativeHistogram h -> {
                after = NativeHistogramMerger.add(before, h, writable);
                writable = NativeHistogramMerger.Writable.after(after, before, h, writable);
            }
            // only from a push that raced another to create this series; see SeriesKindCheck
            case ClassicHistogram h -> {
                after = NativeHistogramMerger.addClassicOnly(before, h);
                writable = NativeHistogramMerger.Writable.NONE;
            }
            default -> throw new IllegalArgumentException("not a histogram: " + pushed);
        }
        value = after;
        grown.bytes += Footprint.nativeCell(after) - Footprint.nativeCell(before);
        return Math.max(after.count(), Math.abs(after.sum())) > Overflow.NEAR;
    }

    @Override
    String overflow(Series pushed) {
        NativeHistogram h = value;
        double pushedCount = pushed instanceof NativeHistogram n ? n.count() : ((ClassicHistogram) pushed).count();
        double pushedSum = pushed instanceof NativeHistogram n ? n.sum() : ((ClassicHistogram) pushed).sum();
        String countOverflow = Overflow.check("count: ", h.count(), pushedCount);
        return countOverflow != null ? countOverflow : Overflow.check("sum: ", h.sum(), pushedSum);
    }

    /**
     * What the pushed value takes on its own: a merge adds at most its buckets (a schema reduction or
     * a wider zero bucket only removes some), or its classic part.
     */
    @Override
    long growthBound(Series pushed) {
        return Footprint.value(pushed);
    }

    @Override
    double magnitude() {
        NativeHistogram h = value;
        return Math.max(h.count(), Math.abs(h.sum()));
    }

    @Override
    long valueFootprint() {
        return Footprint.nativeCell(value);
    }

    @Override
    SeriesImage image() {
        return new SeriesImage.Native(labels(), lastPushMillis(), startMillis(), shown());
    }

    @Override
    Object capture() {
        return shown();
    }
}
