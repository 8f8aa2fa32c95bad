package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.SeriesView;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The series of one family as a scrape's view holds them: the stored cells' labels, and the values
 * they had when the view was fixed (see {@link PushEpochs}). A counter costs the view 8 bytes; the
 * {@link SeriesView} a renderer gets is made when it asks, and dies young.
 */
final class FrozenSeries extends AbstractList<SeriesView> implements RandomAccess {
    private final SeriesCell[] cells;
    private final int size;
    private final double[] scalars;
    // HistogramValues or NativeHistogram, for histogram families
    private final Object[] values;

    private FrozenSeries(SeriesCell[] cells, int size, double[] scalars, Object[] values) {
        this.cells = cells;
        this.size = size;
        this.scalars = scalars;
        this.values = values;
    }

    /**
     * Copies the values of a family's cells (all scalar or all histograms) as the view sees them.
     * Call while the view is being fixed.
     */
    static List<SeriesView> copy(StoredFamily family, SeriesCell[] cells, ValueLedger ledger) {
        if (cells.length == 0) {
            return List.of();
        }
        boolean scalar = cells[0] instanceof ScalarView; // a ScalarCell or a GaugeCell
        double[] scalars = scalar ? new double[cells.length] : null;
        Object[] values = scalar ? null : new Object[cells.length];
        for (int i = 0; i < cells.length; i++) {
            if (scalar) {
                scalars[i] = ((ScalarView) cells[i]).value();
            } else {
                values[i] = cells[i].capture();
            }
        }
        // read the cells before the ledger: see ValueLedger
        if (!ledger.touched(family)) {
            return new FrozenSeries(cells, cells.length, scalars, values);
        }
        SeriesCell[] kept = cells;
        int n = 0;
        for (int i = 0; i < cells.length; i++) {
            Object noted = ledger.noted(cells[i]);
            if (noted == ValueLedger.CREATED) {
                if (kept == cells) {
                    kept = Arrays.copyOf(cells, cells.length); // from here on the kept cells move down
                }
                continue;
            }
            if (kept != cells) {
                kept[n] = cells[i];
            }
            if (scalar) {
                scalars[n] = noted == null ? scalars[i] : (Double) noted;
            } else {
                values[n] = noted == null ? values[i] : noted;
            }
            n++;
        }
        return n == 0 ? List.of() : new FrozenSeries(kept, n, scalars, values);
    }

    @Override
    public SeriesView get(int index) {
        Objects.checkIndex(index, size);
        SeriesCell cell = cells[index];
        if (scalars != null) {
            return new FrozenScalar(cell, scalars[index]);
        }
        return switch (values[index]) {
            case HistogramValues h -> new HistogramCell(cell.labels(), h, cell.startMillis());
            case NativeHistogram h -> new NativeHistogramCell(cell.labels(), h, cell.startMillis());
            default -> throw new IllegalStateException("not a histogram value: " + values[index]);
        };
    }

    @Override
    public int size() {
        return size;
    }
}
