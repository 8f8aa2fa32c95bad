package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.Series;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * A gauge or untyped series whose family has a {@link GaugeMode} other than plain adding, or that
 * sources push to. It holds two parts and shows its mode over both:
 * <ul>
 *   <li>what delta pushes brought: their sum and number (for {@code sum} and {@code avg}), their
 *       extreme ({@code max}, {@code min}) or the latest of them ({@code last});</li>
 *   <li>the last value of each source that pushed the series and has not been forgotten.</li>
 * </ul>
 * {@code sum} adds the delta sum and the sources' values; {@code avg} divides that by the number of
 * delta pushes plus the number of sources; {@code max}/{@code min} take the extreme of all;
 * {@code last} the value pushed most recently, by a delta push or a source. A forgotten source
 * takes its value with it; a cell with neither part left is removed by the engine.
 *
 * <p>Sources are kept by id in a sorted {@code int[]} with their values in a parallel
 * {@code double[]}: 12 bytes per (series, source). Updates are serialised; each publishes the value
 * a scrape reads, so a read is one volatile load.
 */
final class GaugeCell extends SeriesCell implements ScalarView {
    private static final int[] NO_SOURCES = new int[0];
    private static final double[] NO_VALUES = new double[0];

    private final GaugeMode mode;
    private boolean hasDelta;
    private double delta;      // sum, extreme or latest of the delta pushes
    private long deltaPushes;
    private long deltaOrder;   // for last: when the latest delta push came, in this cell's updates
    private int[] sources = NO_SOURCES;
    private double[] values = NO_VALUES;
    private long[] orders;     // for last: when each source's value came
    private int sourceCount;
    private long updates;
    private volatile double value;

    private GaugeCell(Labels labels, GaugeMode mode, long startMillis) {
        super(labels, startMillis);
        this.mode = mode;
    }

    /** A new series from a delta push. */
    static GaugeCell ofDelta(ScalarSample first, GaugeMode mode, long nowMillis) {
        GaugeCell cell = new GaugeCell(first.labels(), mode, nowMillis);
        cell.addDelta(first.value());
        return cell;
    }

    /** A new series from a source's push. */
    static GaugeCell ofSource(ScalarSample first, GaugeMode mode, int source, long nowMillis) {
        GaugeCell cell = new GaugeCell(first.labels(), mode, nowMillis);
        cell.setSource(source, first.value());
        return cell;
    }

    /**
     * The series {@code image} holds, in a family of {@code mode}, without the values of the sources
     * {@code kept} refuses; {@code null} when nothing is left.
     *
     * @throws IllegalArgumentException when a {@code last} series lacks the orders of its sources' values
     */
    static GaugeCell restore(SeriesImage.Gauge image, GaugeMode mode, IntPredicate kept) {
        if (mode == GaugeMode.LAST && image.orders() == null && image.sources().length > 0) {
            throw new IllegalArgumentException("series " + image.labels() + " of a family of gauge mode last"
                    + " lacks the order its sources' values came in");
        }
        GaugeCell cell = new GaugeCell(image.labels(), mode, image.startMillis());
        cell.hasDelta = image.hasDelta();
        cell.delta = image.delta();
        cell.deltaPushes = image.deltaPushes();
        cell.deltaOrder = image.deltaOrder();
        cell.updates = image.updates();
        int n = image.sources().length;
        cell.sources = new int[n];
        cell.values = new double[n];
        cell.orders = mode == GaugeMode.LAST && n > 0 ? new long[n] : null;
        for (int i = 0; i < n; i++) {
            if (kept.test(image.sources()[i])) {
                cell.sources[cell.sourceCount] = image.sources()[i];
                cell.values[cell.sourceCount] = image.values()[i];
                if (cell.orders != null) {
                    cell.orders[cell.sourceCount] = image.orders()[i];
                }
                cell.sourceCount++;
            }
        }
        if (!cell.hasDelta && cell.sourceCount == 0) {
            return null;
        }
        cell.publish();
        return cell;
    }

    @Override
    synchronized SeriesImage image() {
        return new SeriesImage.Gauge(labels(), lastPushMillis(), startMillis(), hasDelta, delta, deltaPushes, deltaOrder,
                Arrays.copyOf(sources, sourceCount), Arrays.copyOf(values, sourceCount),
                orders == null ? null : Arrays.copyOf(orders, sourceCount), updates);
    }

    GaugeMode mode() {
        return mode;
    }

    @Override
    public double value() {
        return value;
    }

    /** A delta push's value, combined by the mode. */
    @Override
    boolean add(Series pushed, PushTally grown) {
        return addDelta(((ScalarSample) pushed).value()); // its storage does not grow: see Footprint.GAUGE_CELL
    }

    private synchronized boolean addDelta(double v) {
        delta = switch (mode) {
            case SUM, AVG -> hasDelta ? delta + v : v;
            case MAX -> hasDelta ? Math.max(delta, v) : v;
            case MIN -> hasDelta ? Math.min(delta, v) : v;
            case LAST -> v;
        };
        hasDelta = true;
        deltaPushes++;
        deltaOrder = ++updates;
        return publish();
    }

    /**
     * The last value of {@code source}, replacing the one it pushed before.
     *
     * @return whether a value of the series is now above {@link Overflow#NEAR} in magnitude
     */
    synchronized boolean setSource(int source, double v) {
        int i = Arrays.binarySearch(sources, 0, sourceCount, source);
        if (i < 0) {
            i = -i - 1;
            if (sourceCount == sources.length) {
                int grown = Math.max(2, sourceCount + (sourceCount >> 1) + 1);
                sources = Arrays.copyOf(sources, grown);
                values = Arrays.copyOf(values, grown);
                if (orders != null) {
                    orders = Arrays.copyOf(orders, grown);
                }
            }
            System.arraycopy(sources, i, sources, i + 1, sourceCount - i);
            System.arraycopy(values, i, values, i + 1, sourceCount - i);
            if (orders != null) {
                System.arraycopy(orders, i, orders, i + 1, sourceCount - i);
            }
            sources[i] = source;
            sourceCount++;
        }
        values[i] = v;
        if (mode == GaugeMode.LAST) {
            if (orders == null) {
                orders = new long[sources.length];
            }
            orders[i] = ++updates;
        }
        return publish();
    }

    /**
     * Drops what {@code source} contributes (nothing if it contributes nothing).
     *
     * @return whether nothing is left: no delta push and no source
     */
    synchronized boolean forgetSource(int source) {
        int i = Arrays.binarySearch(sources, 0, sourceCount, source);
        if (i >= 0) {
            System.arraycopy(sources, i + 1, sources, i, sourceCount - i - 1);
            System.arraycopy(values, i + 1, values, i, sourceCount - i - 1);
            if (orders != null) {
                System.arraycopy(orders, i + 1, orders, i, sourceCount - i - 1);
            }
            sourceCount--;
            publish();
        }
        return !hasDelta && sourceCount == 0;
    }

    /** How many sources contribute. */
    synchronized int sourceCount() {
        return sourceCount;
    }

    /** Publishes the combined value; returns whether {@link #magnitude()} is above {@link Overflow#NEAR}. */
    private boolean publish() {
        if (!hasDelta && sourceCount == 0) {
            value = 0; // an empty cell is about to be removed
            return false;
        }
        if (mode == GaugeMode.SUM || mode == GaugeMode.AVG) {
            double sum = total();
            value = mode == GaugeMode.SUM ? sum : sum / (deltaPushes + sourceCount);
            return Math.abs(sum) > Overflow.NEAR || Math.abs(delta) > Overflow.NEAR || largestSourceValue() > Overflow.NEAR;
        }
        value = extremeOrLatest();
        return false;
    }

    /** The delta pushes' sum and the sources' values, added: what {@code sum} shows and {@code avg} divides. */
    private double total() {
        double sum = hasDelta ? delta : 0;
        for (int i = 0; i < sourceCount; i++) {
            sum += values[i];
        }
        return sum;
    }

    private double largestSourceValue() {
        double largest = 0;
        for (int i = 0; i < sourceCount; i++) {
            largest = Math.max(largest, Math.abs(values[i]));
        }
        return largest;
    }

    /**
     * For {@code sum} and {@code avg}: the largest magnitude among the sums they keep and the values
     * that go into them, since replacing a source's value takes the old one out of the sum. The other
     * modes show one of the pushed values, which are finite: they cannot overflow, and count as 0.
     */
    @Override
    synchronized double magnitude() {
        if (mode != GaugeMode.SUM && mode != GaugeMode.AVG) {
            return 0;
        }
        return Math.max(Math.abs(total()), Math.max(Math.abs(delta), largestSourceValue()));
    }

    /** As a delta push: whether adding its value would make the delta sum or the total infinite. */
    @Override
    synchronized String overflow(Series pushed) {
        if (mode != GaugeMode.SUM && mode != GaugeMode.AVG) {
            return null;
        }
        double v = ((ScalarSample) pushed).value();
        String deltaOverflow = Overflow.check("", hasDelta ? delta : 0, v);
        return deltaOverflow != null ? deltaOverflow : Overflow.check("", total(), v);
    }

    /** As {@code source}'s new value: whether the total without its old value plus the new one would be infinite. */
    synchronized String overflowFromSource(int source, Series pushed) {
        if (mode != GaugeMode.SUM && mode != GaugeMode.AVG) {
            return null;
        }
        int i = Arrays.binarySearch(sources, 0, sourceCount, source);
        double old = i >= 0 ? values[i] : 0;
        return Overflow.check("", total() - old, ((ScalarSample) pushed).value());
    }

    /** Its storage never grows with a push: what sources add to it is theirs (see {@link Footprint#GAUGE_CELL}). */
    @Override
    long growthBound(Series pushed) {
        return 0;
    }

    @Override
    long valueFootprint() {
        return Footprint.GAUGE_CELL;
    }

    @Override
    Object capture() {
        return value;
    }

    private double extremeOrLatest() {
        switch (mode) {
            case MAX, MIN -> {
                boolean max = mode == GaugeMode.MAX;
                double extreme = hasDelta ? delta : values[0];
                for (int i = 0; i < sourceCount; i++) {
                    extreme = max ? Math.max(extreme, values[i]) : Math.min(extreme, values[i]);
                }
                return extreme;
            }
            case LAST -> {
                double latest = delta;
                long latestOrder = hasDelta ? deltaOrder : -1;
                for (int i = 0; i < sourceCount; i++) {
                    if (orders[i] > latestOrder) {
                        latest = values[i];
                        latestOrder = orders[i];
                    }
                }
                return latest;
            }
            default -> throw new IllegalStateException(mode.toString());
        }
    }
}
