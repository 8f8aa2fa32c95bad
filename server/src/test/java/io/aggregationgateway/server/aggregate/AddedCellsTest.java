package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AddedCellsTest {
    private static List<SeriesCell> cells(int count) {
        List<SeriesCell> cells = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            cells.add(new ScalarCell(Labels.of("i", Integer.toString(i)), i, 0));
        }
        return cells;
    }

    @Test
    void givesTheCellsInTheOrderTheyCameAcrossChunksThenStartsEmpty() {
        AddedCells added = new AddedCells();
        List<SeriesCell> cells = cells(10_000);
        for (int i = 0; i < cells.size(); i++) {
            added.add(cells.get(i), i + 1);
        }
        assertArrayEquals(cells.toArray(), added.take());
        assertEquals(0, added.take().length);
    }

    @Test
    void givesUpOnceMoreWereAddedThanTheTableHoldsUntilTakenNext() {
        AddedCells added = new AddedCells();
        List<SeriesCell> cells = cells(3_000);
        for (SeriesCell cell : cells) {
            added.add(cell, 100); // series coming and going: the table never holds more than 100
        }
        assertNull(added.take(), "given up: the next sort sorts the table");
        added.add(cells.get(0), 100);
        assertArrayEquals(new SeriesCell[] {cells.get(0)}, added.take());
    }

    @Test
    void dropsCellsTheTableRemovedOnceItRemovedHalfOfThem() {
        AddedCells added = new AddedCells();
        List<SeriesCell> cells = cells(10_000);
        for (int i = 0; i < cells.size(); i++) {
            added.add(cells.get(i), i + 1);
        }
        Set<SeriesCell> gone = Set.copyOf(cells.subList(2_000, 7_000)); // 5,000: under half and the slack
        added.removed(5_000, cell -> !gone.contains(cell));
        assertEquals(10_000, added.take().length, "few removals: nothing looked at yet");

        for (int i = 0; i < cells.size(); i++) {
            added.add(cells.get(i), i + 1);
        }
        Set<SeriesCell> most = Set.copyOf(cells.subList(0, 6_100)); // past half and the slack: dropped
        added.removed(6_100, cell -> !most.contains(cell));
        assertArrayEquals(cells.subList(6_100, 10_000).toArray(), added.take());

        for (int i = 0; i < cells.size(); i++) {
            added.add(cells.get(i), i + 1);
        }
        added.removed(10_000, cell -> false); // a family deleted before any scrape: nothing held for it
        assertEquals(0, added.take().length);
        added.add(cells.get(5), 1);
        assertArrayEquals(new SeriesCell[] {cells.get(5)}, added.take(), "noting again after the drop");
    }
}
