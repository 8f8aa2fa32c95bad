package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeriesTableTest {
    private static ScalarCell cell(int i) {
        return new ScalarCell(Labels.of("path", "/p/" + i, "shard", Integer.toString(i % 7)), i, 0);
    }

    /** Puts cells 0 to count - 1 into the table, each new there; returns them in that order. */
    private static List<ScalarCell> putEach(SeriesTable table, int count) {
        List<ScalarCell> cells = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ScalarCell c = cell(i);
            cells.add(c);
            assertNull(table.putIfAbsent(c));
        }
        return cells;
    }

    @Test
    void findsEveryCellByEqualLabelsAsItGrows() {
        SeriesTable table = new SeriesTable(0);
        List<ScalarCell> cells = putEach(table, 10_000);
        assertEquals(10_000, table.size());
        for (int i = 0; i < 10_000; i++) {
            assertSame(cells.get(i), table.get(cell(i).labels()), "series " + i); // an equal, not the same, Labels
        }
        assertNull(table.get(Labels.of("path", "/p/10000", "shard", "4")));
        assertEquals(Set.copyOf(cells), Set.of(table.toArray()));
    }

    @Test
    void aLargeTableIsHeldInChunksNoneAHumongousObject() {
        SeriesTable table = new SeriesTable(0);
        List<ScalarCell> cells = putEach(table, 200_000);
        assertEquals(1 << 19, table.capacity(), "200,000 series at most three quarters full");
        // half of G1's smallest region (1 MB) is where an array becomes humongous and takes whole
        // regions; a chunk stays below it even with 8-byte references
        assertTrue(table.largestSlotArray() <= SeriesTable.CHUNK_SLOTS, "largest slot array " + table.largestSlotArray());
        assertTrue(16 + 8L * SeriesTable.CHUNK_SLOTS < 512 * 1024);
        for (int i = 0; i < 200_000; i += 2) {
            assertTrue(table.remove(cells.get(i)));
        }
        for (int i = 0; i < 200_000; i++) {
            assertEquals(i % 2 == 0 ? null : cells.get(i), table.get(cell(i).labels()), "series " + i);
        }
        assertEquals(100_000, table.toArray().length);
        assertEquals(100_000, table.removeIf(c -> true).length);
        assertEquals(0, table.size());
        assertTrue(table.capacity() < SeriesTable.CHUNK_SLOTS, "emptied: one small chunk, " + table.capacity() + " slots");
    }

    @Test
    void restoredCellsAddedInBulkAreFoundAcrossChunks() {
        SeriesTable table = new SeriesTable(0);
        SeriesCell[] cells = new SeriesCell[50_000];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cell(i);
        }
        table.addDistinct(cells);
        assertTrue(table.capacity() > SeriesTable.CHUNK_SLOTS);
        for (int i = 0; i < cells.length; i++) {
            assertSame(cells[i], table.get(cell(i).labels()), "series " + i);
        }
        assertEquals(Set.of(cells), Set.of(table.toArray()));
    }

    @Test
    void holdsItselfKnowsTheHeldCellsByReferenceNotByLabels() {
        SeriesTable table = new SeriesTable(0);
        List<ScalarCell> cells = putEach(table, 40_000); // several chunks: probes cross into the next
        for (int i = 0; i < cells.size(); i++) {
            assertTrue(table.holdsItself(cells.get(i)), "the held cell " + i);
            assertFalse(table.holdsItself(cell(i)), "a cell of equal labels, not held: " + i);
        }
        for (int i = 0; i < cells.size(); i += 3) {
            assertTrue(table.remove(cells.get(i)));
        }
        for (int i = 0; i < cells.size(); i++) {
            assertEquals(i % 3 != 0, table.holdsItself(cells.get(i)), "series " + i);
        }
        ScalarCell again = cell(0);
        assertNull(table.putIfAbsent(again));
        assertTrue(table.holdsItself(again));
        assertFalse(table.holdsItself(cells.get(0)), "the removed cell, though its labels are held again");
    }

    @Test
    void putIfAbsentKeepsTheFirstCellOfEqualLabels() {
        SeriesTable table = new SeriesTable(4);
        ScalarCell first = cell(1);
        assertNull(table.putIfAbsent(first));
        assertSame(first, table.putIfAbsent(cell(1)));
        assertEquals(1, table.size());
        assertArrayEquals(new SeriesCell[] {first}, table.toArray());
    }

    @Test
    void removedCellsAreGoneAndCellsProbedPastThemStayFound() {
        SeriesTable table = new SeriesTable(0);
        List<ScalarCell> cells = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            cells.add(cell(i));
            table.putIfAbsent(cells.get(i));
        }
        for (int i = 0; i < 1_000; i += 2) {
            assertTrue(table.remove(cells.get(i)));
        }
        assertFalse(table.remove(cells.get(0)), "already removed");
        assertFalse(table.remove(cell(1)), "an equal cell that is not the one held");
        assertEquals(500, table.size());
        for (int i = 0; i < 1_000; i++) {
            assertEquals(i % 2 == 0 ? null : cells.get(i), table.get(cells.get(i).labels()), "series " + i);
        }
        // adding again after removals (which leave their slots marked) reuses room by rebuilding
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 1_000; i += 2) {
                table.putIfAbsent(cells.get(i));
            }
            for (int i = 0; i < 1_000; i += 2) {
                table.remove(cells.get(i));
            }
        }
        assertEquals(500, table.size());
        assertEquals(500, table.toArray().length);
    }

    @Test
    void removeIfReturnsWhatItRemoved() {
        SeriesTable table = new SeriesTable(0);
        for (int i = 0; i < 100; i++) {
            table.putIfAbsent(cell(i));
        }
        SeriesCell[] gone = table.removeIf(c -> ((ScalarCell) c).value() >= 10);
        assertEquals(90, gone.length);
        assertEquals(10, table.size());
        Set<Double> left = new HashSet<>();
        for (SeriesCell c : table.toArray()) {
            left.add(((ScalarCell) c).value());
        }
        assertEquals(Set.of(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0), left);
        for (int i = 10; i < 100; i++) {
            assertNull(table.get(cell(i).labels()));
        }
        assertEquals(0, table.removeIf(c -> true).length - 10);
        assertEquals(0, table.size());
    }

    @Test
    void concurrentPutsOfOverlappingLabelsAddEachSeriesOnce() throws Exception {
        SeriesTable table = new SeriesTable(0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> added = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                added.add(pool.submit(() -> {
                    int mine = 0;
                    for (int i = 0; i < 20_000; i++) {
                        ScalarCell c = cell(i);
                        SeriesCell held = table.get(c.labels());
                        if (held == null && table.putIfAbsent(c) == null) {
                            mine++;
                        }
                    }
                    return mine;
                }));
            }
            int total = 0;
            for (Future<Integer> f : added) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(20_000, total);
            assertEquals(20_000, table.size());
            assertEquals(20_000, Arrays.stream(table.toArray()).map(SeriesCell::labels).distinct().count());
        } finally {
            pool.shutdownNow();
        }
    }
}
