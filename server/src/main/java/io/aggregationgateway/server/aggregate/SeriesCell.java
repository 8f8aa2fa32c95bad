package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.IntPredicate;

/**
 * One stored series: its labels and its running aggregate. Each kind implements the
 * {@link io.aggregationgateway.server.model.SeriesView} a scrape reads it through.
 *
 * <p>A cell is its own label set: it extends {@link Labels}, sharing the encoding of the labels it
 * was made from, so a series costs its cell and its label bytes, not a {@code Labels} object of 24
 * bytes besides (the cell grows by 8). {@link #labels()} returns the cell itself; source states and
 * scrapes' views hold it as the series' labels. Cells therefore equal each other (and any label
 * set) by their labels: where a cell's identity matters, compare references ({@link ValueLedger}).
 *
 * <p>The views a scrape gets are copies made when the scrape fixed its view (see {@link PushEpochs}):
 * they hold the values as they stood then, and pushes never change them.
 */
abstract sealed class SeriesCell extends Labels permits ScalarCell, GaugeCell, HistogramCell, NativeHistogramCell {
    private static final VarHandle LAST_PUSH_MILLIS;

    static {
        try {
            LAST_PUSH_MILLIS = MethodHandles.lookup().findVarHandle(SeriesCell.class, "lastPushMillis", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Wall-clock millis of the last push to this series, for expiry. Written with release semantics,
    // not as a volatile: a volatile write is a full fence, paid for every series of every push, and
    // nothing needs it. Readers that must see a push's touch (expiry, images) hold the store's write
    // lock, which waits for the push; scrapes read it through the push's exit from its epoch.
    @SuppressWarnings("unused") // accessed through LAST_PUSH_MILLIS
    private long lastPushMillis;
    // Wall-clock millis of the series' first push: its start (OpenMetrics _created, protobuf
    // created_timestamp).
    private final long startMillis;

    /** @param labels the series' labels, whose encoding the cell shares */
    SeriesCell(Labels labels, long startMillis) {
        super(labels);
        this.startMillis = startMillis;
    }

    /** The series' labels: this cell. */
    public final Labels labels() {
        return this;
    }

    /** When the series began (see {@link io.aggregationgateway.server.model.SeriesView#startMillis()}). */
    public final long startMillis() {
        return startMillis;
    }

    final void touch(long nowMillis) {
        LAST_PUSH_MILLIS.setRelease(this, nowMillis);
    }

    final long lastPushMillis() {
        return (long) LAST_PUSH_MILLIS.getAcquire(this);
    }

    /**
     * Adds a validated pushed series of the matching kind.
     *
     * @param grown receives how many bytes the value's storage grew by (histogram buckets)
     * @return whether a value of the series is now above {@link Overflow#NEAR} in magnitude
     */
    abstract boolean add(Series pushed, PushTally grown);

    /**
     * Why adding {@code pushed} would make a value of this series infinite, or {@code null} when it
     * would not. Only meaningful while no other push can change the cell.
     */
    abstract String overflow(Series pushed);

    /**
     * At least how many bytes merging {@code pushed} can grow this series by, whatever other pushes
     * merge meanwhile (they only ever add buckets).
     */
    abstract long growthBound(Series pushed);

    /** The largest magnitude among the series' values. */
    abstract double magnitude();

    /** What the series takes of the store's byte budget (see {@link Footprint}). */
    final long footprint() {
        return Footprint.SERIES_ENTRY + Footprint.labels(this) + valueFootprint();
    }

    abstract long valueFootprint();

    /**
     * The current value as an object no push will change: a {@code Double}, a
     * {@link io.aggregationgateway.server.model.HistogramValues} or a {@link NativeHistogram}.
     */
    abstract Object capture();

    /** The series as plain values, for a {@link StoreImage}; the caller keeps pushes out meanwhile. */
    abstract SeriesImage image();

    /**
     * A series restored from {@code image}, pushed to last at its time.
     *
     * @param gaugeMode the family's gauge mode: scalars become {@link GaugeCell}s of it (their value a
     *                  delta push's); {@code null} for a family whose series add up
     * @param keptSource which of a gauge's sources are restored; the others' values are left out
     * @return the series, or {@code null} for a gauge none of whose parts is kept
     * @throws IllegalArgumentException when the image does not fit the family
     */
    static SeriesCell restore(SeriesImage image, GaugeMode gaugeMode, IntPredicate keptSource) {
        SeriesCell cell = switch (image) {
            case SeriesImage.Scalar s -> restoreScalar(s.labels(), s.lastPushMillis(), s.startMillis(), s.value(), gaugeMode);
            case SeriesImage.Classic h -> new HistogramCell(h.labels(), h.values(), h.startMillis());
            case SeriesImage.Native h -> new NativeHistogramCell(h.labels(), h.value(), h.startMillis());
            case SeriesImage.Gauge g when gaugeMode != null -> GaugeCell.restore(g, gaugeMode, keptSource);
            case SeriesImage.Gauge g -> throw new IllegalArgumentException("series " + g.labels()
                    + " keeps sources' values but its family has no gauge mode");
        };
        if (cell != null) {
            cell.touch(image.lastPushMillis());
        }
        return cell;
    }

    /** A scalar series restored as {@link #restore} restores a {@link SeriesImage.Scalar}, without the record. */
    static SeriesCell restoreScalar(Labels labels, long lastPushMillis, long startMillis, double value, GaugeMode gaugeMode) {
        SeriesCell cell = gaugeMode != null ? GaugeCell.ofDelta(new ScalarSample(labels, value), gaugeMode, startMillis)
                : new ScalarCell(labels, value, startMillis);
        cell.touch(lastPushMillis);
        return cell;
    }

    /** A series holding its first push, begun at {@code nowMillis}. */
    static SeriesCell create(Series first, long nowMillis) {
        return switch (first) {
            case ScalarSample s -> new ScalarCell(s.labels(), s.value(), nowMillis);
            case ClassicHistogram h -> new HistogramCell(h, nowMillis);
            case NativeHistogram h -> new NativeHistogramCell(h.labels(), h, nowMillis);
            case SummarySample s ->
                    throw new IllegalArgumentException("summaries are not stored");
        };
    }
}
