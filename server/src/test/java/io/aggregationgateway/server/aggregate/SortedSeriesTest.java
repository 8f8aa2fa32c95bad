package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A family's sorted series, brought up to date by merging the series added since the last sort
 * and leaving out those removed: after any mix of additions, removals and sorts, the order is the
 * one a sort of every series held gives, made of the held cells themselves.
 */
class SortedSeriesTest {
    private static Labels labels(int i) {
        // values of several lengths, so that the order is not the order of the numbers
        return Labels.of("job", "a", "path", "/p/" + i, "zone", Integer.toString(i % 13));
    }

    private static void push(StoredFamily family, List<Labels> labels) {
        List<Series> pushed = new ArrayList<>();
        for (Labels l : labels) {
            pushed.add(new ScalarSample(l, 1));
        }
        family.add(pushed, "", 0, StoredFamily.NO_SOURCE, null, new PushTally(), false);
    }

    private static void assertSortedAsHeld(StoredFamily family, TreeSet<Labels> expected, String when) {
        StoredFamily.SortedSeries sorted = family.sorted();
        assertEquals(List.copyOf(expected), Arrays.asList((Labels[]) sorted.cells()), when);
        int largest = 0;
        for (SeriesCell cell : sorted.cells()) {
            assertSame(family.cell(cell.labels()), cell, when + ": the held cell itself");
            largest = Math.max(largest, cell.encodedSize());
        }
        assertTrue(sorted.largestLabelBytes() >= largest, when + ": at least the largest label set");
    }

    @Test
    void additionsRemovalsAndSortsInAnyMixGiveTheOrderOfEverySeriesHeld() {
        Random random = new Random(20261203);
        for (int round = 0; round < 30; round++) {
            StoredFamily family = new StoredFamily("c_total", MetricType.COUNTER, "");
            TreeSet<Labels> expected = new TreeSet<>();
            for (int step = 0; step < 60; step++) {
                int choice = random.nextInt(10);
                if (choice < 5) { // a push: new series and held ones; now and then more than a merge takes
                    int count = random.nextInt(20) == 0 ? 3_000 + random.nextInt(3_000) : random.nextInt(40);
                    List<Labels> pushed = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        Labels l = labels(random.nextInt(20_000));
                        if (!pushed.contains(l)) {
                            pushed.add(l);
                        }
                    }
                    push(family, pushed);
                    expected.addAll(pushed);
                } else if (choice < 7 && !expected.isEmpty()) { // series removed one by one, or by a sweep
                    if (random.nextBoolean()) {
                        List<Labels> held = new ArrayList<>(expected);
                        for (int i = 0; i < 1 + random.nextInt(5); i++) {
                            Labels gone = held.get(random.nextInt(held.size()));
                            if (expected.remove(gone)) {
                                assertTrue(family.remove(family.cell(gone)));
                            }
                        }
                    } else {
                        int zone = random.nextInt(13);
                        family.removeIf(cell -> cell.labels().get("zone").equals(Integer.toString(zone)));
                        expected.removeIf(l -> l.get("zone").equals(Integer.toString(zone)));
                    }
                } else {
                    assertSortedAsHeld(family, expected, "round " + round + ", step " + step);
                }
            }
            assertSortedAsHeld(family, expected, "round " + round + " at the end");
        }
    }

    @Test
    void seriesComingAndExpiringWithNoSortBetweenAreNotHeldForTheNextOne() {
        StoredFamily family = new StoredFamily("c_total", MetricType.COUNTER, "");
        TreeSet<Labels> expected = new TreeSet<>();
        for (int round = 0; round < 100; round++) { // 5,000 added, never more than 100 held
            List<Labels> pushed = new ArrayList<>();
            for (int i = round * 50; i < round * 50 + 50; i++) {
                pushed.add(labels(i));
            }
            push(family, pushed);
            expected.addAll(pushed);
            int oldest = (round - 1) * 50;
            family.removeIf(cell -> Integer.parseInt(cell.labels().get("path").substring(3)) < oldest);
            expected.removeIf(l -> Integer.parseInt(l.get("path").substring(3)) < oldest);
        }
        assertEquals(100, expected.size());
        assertSortedAsHeld(family, expected, "after 5,000 added and 4,900 gone");
    }

    @Test
    void seriesRestoredInOrderAreTheOrderOnlyOfAFamilyThatHeldNone() {
        StoredFamily empty = new StoredFamily("c_total", MetricType.COUNTER, "");
        empty.restore(List.of(new ScalarCell(labels(1), 1, 0), new ScalarCell(labels(2), 1, 0)));
        assertSortedAsHeld(empty, new TreeSet<>(List.of(labels(1), labels(2))), "restored into an empty family");

        StoredFamily holding = new StoredFamily("c_total", MetricType.COUNTER, "");
        push(holding, List.of(labels(3)));
        holding.sorted();
        holding.restore(List.of(new ScalarCell(labels(1), 1, 0), new ScalarCell(labels(2), 1, 0)));
        assertSortedAsHeld(holding, new TreeSet<>(List.of(labels(1), labels(2), labels(3))), "restored beside a series held");
    }

    @Test
    void anUnchangedFamilyKeepsItsOrderAndWhatRenderersKept() {
        StoredFamily family = new StoredFamily("c_total", MetricType.COUNTER, "");
        push(family, List.of(labels(1), labels(2)));
        StoredFamily.SortedSeries first = family.sorted();
        push(family, List.of(labels(2))); // a held series: no change to the set
        assertSame(first, family.sorted());
        push(family, List.of(labels(3)));
        StoredFamily.SortedSeries second = family.sorted();
        assertEquals(List.of(labels(1), labels(2), labels(3)), Arrays.asList((Labels[]) second.cells()));
        assertSame(first.cells()[0], second.cells()[0]);
    }

    @Test
    void seriesAddedWhileScrapesSortAreEachInTheOrderOnce() throws Exception {
        StoredFamily family = new StoredFamily("c_total", MetricType.COUNTER, "");
        int perWriter = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        AtomicBoolean writing = new AtomicBoolean(true);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < perWriter; i += 50) {
                        List<Labels> pushed = new ArrayList<>();
                        for (int j = i; j < i + 50; j++) {
                            pushed.add(labels(writer * perWriter + j));
                        }
                        push(family, pushed);
                    }
                }));
            }
            Future<?> sorter = pool.submit(() -> {
                while (writing.get()) {
                    SeriesCell[] cells = family.sorted().cells();
                    for (int i = 1; i < cells.length; i++) {
                        assertTrue(cells[i - 1].compareTo(cells[i]) < 0, "ascending, each once");
                    }
                }
            });
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            writing.set(false);
            sorter.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        TreeSet<Labels> expected = new TreeSet<>();
        for (int i = 0; i < 2 * perWriter; i++) {
            expected.add(labels(i));
        }
        assertSortedAsHeld(family, expected, "after every push");
    }
}
