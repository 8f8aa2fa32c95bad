package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SeriesView;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A family in the store: fixed name and type, first non-empty help, its series by labels. */
final class StoredFamily {
    /** The source of a delta push, for {@link #add}. */
    static final int NO_SOURCE = -1;

    private final String name;
    private final MetricType type;
    // null: its series add up in ScalarCells (or are histograms); else gauges in GaugeCells with this mode
    private final GaugeMode gaugeMode;
    private volatile String help;
    private final ConcurrentHashMap<Labels, SeriesCell> series = new ConcurrentHashMap<>();
    // Bumped whenever the set of series changes, so scrapes re-sort only then.
    private final AtomicInteger shapeVersion = new AtomicInteger();
    private volatile SortedSeries sorted = new SortedSeries(-1, new SeriesView[0]);

    // Typed as the views scrapes read, so the cached array is handed out as it is; every element is a SeriesCell.
    private record SortedSeries(int version, SeriesView[] cells) {
    }

    StoredFamily(String name, MetricType type, String help) {
        this(name, type, help, null);
    }

    /** @param gaugeMode for gauge and untyped families, the mode their {@link GaugeCell}s combine by; {@code null} for plain sums */
    StoredFamily(String name, MetricType type, String help, GaugeMode gaugeMode) {
        this.name = name;
        this.type = type;
        this.help = help;
        this.gaugeMode = gaugeMode;
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

    /**
     * Adds validated series; returns how many of them were new to this family.
     *
     * @param source the source of a cumulative push (its gauges set that source's value), or {@link #NO_SOURCE}
     */
    int add(List<Series> pushed, String pushedHelp, long nowMillis, int source) {
        if (help.isEmpty() && !pushedHelp.isEmpty()) {
            help = pushedHelp; // a benign race: some non-empty help wins, which is all the rule asks
        }
        int created = 0;
        for (Series s : pushed) {
            SeriesCell cell = series.get(s.labels());
            if (cell == null) {
                SeriesCell fresh = newCell(s, source);
                fresh.touch(nowMillis);
                cell = series.putIfAbsent(s.labels(), fresh);
                if (cell == null) {
                    created++;
                    continue;
                }
            }
            if (source != NO_SOURCE && cell instanceof GaugeCell gauge) {
                gauge.setSource(source, ((ScalarSample) s).value());
            } else {
                cell.add(s);
            }
            cell.touch(nowMillis);
        }
        if (created > 0) {
            shapeVersion.incrementAndGet();
        }
        return created;
    }

    private SeriesCell newCell(Series first, int source) {
        if (gaugeMode != null && first instanceof ScalarSample sample) {
            return source == NO_SOURCE ? GaugeCell.ofDelta(sample, gaugeMode) : GaugeCell.ofSource(sample, gaugeMode, source);
        }
        return SeriesCell.create(first);
    }

    /** Removes {@code cell} if it is still this family's; the caller holds the store's write lock. */
    boolean remove(SeriesCell cell) {
        boolean removed = series.remove(cell.labels(), cell);
        if (removed) {
            shapeVersion.incrementAndGet();
        }
        return removed;
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
