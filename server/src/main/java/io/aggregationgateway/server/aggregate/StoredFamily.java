package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SeriesView;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A family in the store: fixed name and type, first non-empty help, its series by labels. */
final class StoredFamily {
    private final String name;
    private final MetricType type;
    private volatile String help;
    private final ConcurrentHashMap<Labels, SeriesCell> series = new ConcurrentHashMap<>();
    // Bumped whenever the set of series changes, so scrapes re-sort only then.
    private final AtomicInteger shapeVersion = new AtomicInteger();
    private volatile SortedSeries sorted = new SortedSeries(-1, new SeriesView[0]);

    // Typed as the views scrapes read, so the cached array is handed out as it is; every element is a SeriesCell.
    private record SortedSeries(int version, SeriesView[] cells) {
    }

    StoredFamily(String name, MetricType type, String help) {
        this.name = name;
        this.type = type;
        this.help = help;
    }

    String name() {
        return name;
    }

    MetricType type() {
        return type;
    }

    String help() {
        return help;
    }

    int seriesCount() {
        return series.size();
    }

    boolean holds(Labels labels) {
        return series.containsKey(labels);
    }

    /** The stored series with these labels, or {@code null}. */
    SeriesCell cell(Labels labels) {
        return series.get(labels);
    }

    /** Adds validated series; returns how many of them were new to this family. */
    int add(List<Series> pushed, String pushedHelp, long nowMillis) {
        if (help.isEmpty() && !pushedHelp.isEmpty()) {
            help = pushedHelp; // a benign race: some non-empty help wins, which is all the rule asks
        }
        int created = 0;
        for (Series s : pushed) {
            SeriesCell cell = series.get(s.labels());
            if (cell == null) {
                SeriesCell fresh = SeriesCell.create(s);
                fresh.touch(nowMillis);
                cell = series.putIfAbsent(s.labels(), fresh);
                if (cell == null) {
                    created++;
                    continue;
                }
            }
            cell.add(s);
            cell.touch(nowMillis);
        }
        if (created > 0) {
            shapeVersion.incrementAndGet();
        }
        return created;
    }

    /** Removes the series {@code doomed} accepts; the caller holds the store's write lock. */
    int removeIf(Predicate<SeriesCell> doomed) {
        int before = series.size();
        series.values().removeIf(doomed);
        int removed = before - series.size();
        if (removed > 0) {
            shapeVersion.incrementAndGet();
        }
        return removed;
    }

    /** The series sorted by labels; cached until the set of series changes. Do not modify the array. */
    SeriesView[] sortedSeries() {
        int version = shapeVersion.get();
        SortedSeries current = sorted;
        if (current.version() == version) {
            return current.cells();
        }
        SeriesView[] cells = series.values().toArray(new SeriesView[0]);
        Arrays.sort(cells, (a, b) -> a.labels().compareTo(b.labels()));
        sorted = new SortedSeries(version, cells);
        return cells;
    }
}
