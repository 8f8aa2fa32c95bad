package io.aggregationgateway.server.aggregate;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The cells a {@link SeriesTable} added since they were last taken, in the order they were added:
 * a push's own order, which is its labels' order as most clients write them, so that a sort of them
 * finds long ascending runs (a million new series from a hundred pushes sort about five times
 * faster so than in the table's order, where each comparison reads two series far apart in memory).
 * For a family's sorted view to merge in ({@link StoredFamily#sorted()}).
 *
 * <p>Held in chunks of {@value #CHUNK} references, so that a cell costs its reference and no doubled
 * array's slack; given up, until taken next, once more cells were added than the table holds (series
 * that come and expire while no scrape takes them would otherwise be held without end), after which
 * the sorted view sorts the whole table. Cells the table removed are dropped once the table has
 * removed as many as half of those noted, so that a family deleted before any scrape frees its
 * series' memory at once. Not thread-safe: the table's monitor guards it.
 */
final class AddedCells {
    private static final int CHUNK = 4096;
    /** Cells added beyond the table's size before this gives up: a small table's turnover is kept too. */
    private static final int SLACK = 1024;
    private static final SeriesCell[][] NO_CHUNKS = new SeriesCell[0][];

    private SeriesCell[][] chunks = NO_CHUNKS;
    private int count;
    private boolean givenUp;
    private int removedSinceDropped; // cells the table removed since removed ones were last dropped from here

    /** Notes {@code cell}, just added to a table that now holds {@code tableSize} cells. */
    void add(SeriesCell cell, int tableSize) {
        if (givenUp) {
            return;
        }
        if (count >= tableSize + SLACK) {
            givenUp = true;
            chunks = NO_CHUNKS;
            count = 0;
            removedSinceDropped = 0;
            return;
        }
        int chunk = count / CHUNK;
        if (chunk == chunks.length) {
            chunks = Arrays.copyOf(chunks, Math.max(4, chunk * 2));
        }
        if (chunks[chunk] == null) {
            chunks[chunk] = new SeriesCell[CHUNK];
        }
        chunks[chunk][count % CHUNK] = cell;
        count++;
    }

    /**
     * Notes that the table removed {@code removed} cells; once it removed as many as half the cells
     * noted here (and {@value #SLACK}), keeps only those {@code held} accepts: each cell is checked once
     * per as many removals as half the cells, whatever the order of removals.
     */
    void removed(int removed, Predicate<SeriesCell> held) {
        if (count == 0) {
            return;
        }
        removedSinceDropped += removed;
        if (removedSinceDropped < SLACK + count / 2) {
            return;
        }
        int kept = 0;
        for (int i = 0; i < count; i++) {
            SeriesCell cell = chunks[i / CHUNK][i % CHUNK];
            if (held.test(cell)) {
                chunks[kept / CHUNK][kept % CHUNK] = cell;
                kept++;
            }
        }
        for (int i = kept; i < count && i % CHUNK != 0; i++) {
            chunks[i / CHUNK][i % CHUNK] = null; // the rest of the last chunk kept
        }
        for (int chunk = (kept + CHUNK - 1) / CHUNK; chunk < chunks.length; chunk++) {
            chunks[chunk] = null;
        }
        count = kept;
        removedSinceDropped = 0;
    }

    /** The cells added since the last call, in the order they came, or {@code null} if this gave up; starts again empty. */
    SeriesCell[] take() {
        SeriesCell[] out = null;
        if (!givenUp) {
            out = new SeriesCell[count];
            for (int from = 0, chunk = 0; from < count; from += CHUNK, chunk++) {
                System.arraycopy(chunks[chunk], 0, out, from, Math.min(CHUNK, count - from));
            }
        }
        chunks = NO_CHUNKS;
        count = 0;
        givenUp = false;
        removedSinceDropped = 0;
        return out;
    }
}
