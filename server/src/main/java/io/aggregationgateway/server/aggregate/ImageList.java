package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeHistogram;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The series of a {@link FamilyImage} or the states of a {@link SourceImage.Table}, over arrays:
 * those {@link Aggregator#image()} copies while pushes wait (a counter costs the pause 24 bytes of
 * copying), or those a {@link Builder} fills as a snapshot is read. A scalar's {@link SeriesImage}
 * record is made when the list is read, and dies young.
 */
public final class ImageList extends AbstractList<SeriesImage> implements RandomAccess {
    private final Labels[] labels;
    private final SeriesCell[] cells; // the cells the labels come from, or null (built, states)
    private final long[] pushed;      // null for states, whose push time is 0
    private final long[] started;     // null for states, whose start time is 0
    private final double[] scalars;   // counters and plain gauges; states of scalar families
    private final Object[] others;    // SeriesImage of other cells; HistogramValues or NativeHistogram states

    private ImageList(Labels[] labels, SeriesCell[] cells, long[] pushed, long[] started, double[] scalars, Object[] others) {
        this.labels = labels;
        this.cells = cells;
        this.pushed = pushed;
        this.started = started;
        this.scalars = scalars;
        this.others = others;
    }

    /** The cells' values, push and start times, read now; {@code cells} must not change afterwards. */
    static ImageList ofCells(SeriesCell[] cells) {
        long[] pushed = new long[cells.length];
        long[] started = new long[cells.length];
        double[] scalars = null;
        Object[] others = null;
        for (int i = 0; i < cells.length; i++) {
            SeriesCell cell = cells[i];
            pushed[i] = cell.lastPushMillis();
            started[i] = cell.startMillis();
            if (cell instanceof ScalarCell scalar) {
                if (scalars == null) {
                    scalars = new double[cells.length];
                }
                scalars[i] = scalar.value();
            } else {
                if (others == null) {
                    others = new Object[cells.length];
                }
                others[i] = cell.image();
            }
        }
        return new ImageList(null, cells, pushed, started, scalars, others);
    }

    /** The first {@code size} states of a table: copies of its arrays. */
    static ImageList ofStates(Labels[] keys, double[] numbers, Object[] objects, int size) {
        return new ImageList(Arrays.copyOf(keys, size), null, null, null,
                numbers == null ? null : Arrays.copyOf(numbers, size), objects == null ? null : Arrays.copyOf(objects, size));
    }

    /** Collects series in order, scalars without an object each beyond their labels. */
    public static final class Builder {
        private Labels[] labels = new Labels[16];
        private long[] pushed = new long[16];
        private long[] started = new long[16];
        private double[] scalars;
        private Object[] others;
        private int size;

        public Builder scalar(Labels labels, long lastPushMillis, long startMillis, double value) {
            int i = next(labels, lastPushMillis, startMillis);
            if (scalars == null) {
                scalars = new double[this.labels.length];
            }
            scalars[i] = value;
            return this;
        }

        public Builder add(SeriesImage image) {
            if (image instanceof SeriesImage.Scalar s) {
                return scalar(s.labels(), s.lastPushMillis(), s.startMillis(), s.value());
            }
            int i = next(image.labels(), image.lastPushMillis(), image.startMillis());
            if (others == null) {
                others = new Object[labels.length];
            }
            others[i] = image;
            return this;
        }

        private int next(Labels l, long p, long start) {
            if (size == labels.length) {
                int grown = size * 2;
                labels = Arrays.copyOf(labels, grown);
                pushed = Arrays.copyOf(pushed, grown);
                started = Arrays.copyOf(started, grown);
                scalars = scalars == null ? null : Arrays.copyOf(scalars, grown);
                others = others == null ? null : Arrays.copyOf(others, grown);
            }
            labels[size] = l;
            pushed[size] = p;
            started[size] = start;
            return size++;
        }

        public ImageList build() {
            return new ImageList(Arrays.copyOf(labels, size), null, Arrays.copyOf(pushed, size), Arrays.copyOf(started, size),
                    scalars == null ? null : Arrays.copyOf(scalars, size), others == null ? null : Arrays.copyOf(others, size));
        }
    }

    /** The labels of entry {@code index}: read without making its record. */
    public Labels labels(int index) {
        return cells != null ? cells[index].labels() : labels[index];
    }

    /** When entry {@code index} was last pushed to; 0 for a state. */
    public long lastPushMillis(int index) {
        return pushed == null ? 0 : pushed[index];
    }

    /** When entry {@code index} began; 0 for a state. */
    public long startMillis(int index) {
        return started == null ? 0 : started[index];
    }

    /** Whether entry {@code index} is a {@link SeriesImage.Scalar}, whose value {@link #scalar} reads without its record. */
    public boolean isScalar(int index) {
        return scalars != null && (others == null || others[index] == null);
    }

    public double scalar(int index) {
        return scalars[index];
    }

    @Override
    public SeriesImage get(int index) {
        Objects.checkIndex(index, size());
        if (pushed != null) { // series: of cells, or built
            Object other = others == null ? null : others[index];
            return other != null ? (SeriesImage) other : new SeriesImage.Scalar(
                    cells != null ? cells[index].labels() : labels[index], pushed[index], started[index], scalars[index]);
        }
        if (scalars != null) {
            return new SeriesImage.Scalar(labels[index], 0, 0, scalars[index]);
        }
        return switch (others[index]) {
            case HistogramValues h -> new SeriesImage.Classic(labels[index], 0, 0, h);
            case NativeHistogram h -> new SeriesImage.Native(labels[index], 0, 0, h);
            default -> throw new IllegalStateException("not a histogram state: " + others[index]);
        };
    }

    @Override
    public int size() {
        return cells != null ? cells.length : labels.length;
    }
}
