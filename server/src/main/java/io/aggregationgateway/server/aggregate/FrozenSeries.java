package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.SeriesView;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * The series of one family as a scrape's view holds them: the stored cells' labels, and the values
 * they had when the view was fixed (see {@link PushEpochs}). A counter costs the view 8 bytes; the
 * {@link SeriesView} a renderer gets is made when it asks, and dies young.
 */
final class FrozenSeries extends AbstractList<SeriesView> implements RandomAccess {
    /** How many cells' values a helper reads at a time, when a family is at least twice as large. */
    static final int CELLS_PER_PART = 1 << 16;

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
     * Call while the view is being fixed. A large family's values are read in parts of
     * {@link #CELLS_PER_PART} on {@code helpers} and this thread at once ({@code null}: this thread
     * alone): each part by whichever thread starts it first; this thread starts them in order and
     * waits for those a helper took.
     */
    static List<SeriesView> copy(StoredFamily family, SeriesCell[] cells, ValueLedger ledger, Executor helpers) {
        if (cells.length == 0) {
            return List.of();
        }
        boolean scalar = cells[0] instanceof ScalarView; // a ScalarCell or a GaugeCell
        double[] scalars = scalar ? new double[cells.length] : null;
        Object[] values = scalar ? null : new Object[cells.length];
        if (helpers == null || cells.length < 2 * CELLS_PER_PART) {
            read(cells, 0, cells.length, scalars, values);
        } else {
            List<FutureTask<Void>> parts = new ArrayList<>();
            for (int from = 0; from < cells.length; from += CELLS_PER_PART) {
                int partFrom = from;
                int partTo = Math.min(cells.length, from + CELLS_PER_PART);
                FutureTask<Void> part = new FutureTask<>(() -> read(cells, partFrom, partTo, scalars, values), null);
                parts.add(part);
                try {
                    helpers.execute(part);
                } catch (RejectedExecutionException shuttingDown) {
                    // this thread reads it in its turn
                }
            }
            for (FutureTask<Void> part : parts) {
                part.run(); // a no-op if a helper has started it
            }
            for (FutureTask<Void> part : parts) {
                awaitRead(part);
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

    /** Reads the values of cells[from, to): scalars, or histograms' captures. */
    private static void read(SeriesCell[] cells, int from, int to, double[] scalars, Object[] values) {
        for (int i = from; i < to; i++) {
            if (scalars != null) {
                scalars[i] = ((ScalarView) cells[i]).value();
            } else {
                values[i] = cells[i].capture();
            }
        }
    }

    /**
     * Waits for a part a helper reads, through interrupts too: the view is not whole before every
     * part is read, and the cut cannot end without it. An interrupt is kept for the caller.
     */
    private static void awaitRead(FutureTask<Void> part) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    part.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
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
