package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.KnownSizes;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** A family in the store: fixed name and type, first non-empty help, its series by labels. */
final class StoredFamily {
    /** The source of a delta push, for {@link #add}. */
    static final int NO_SOURCE = -1;
    private static final Comparator<SeriesCell> BY_LABELS = Labels::compareTo;

    private final String name;
    private final MetricType type;
    // null: its series add up in ScalarCells (or are histograms); else gauges in GaugeCells with this mode
    private final GaugeMode gaugeMode;
    private volatile String help;
    private final SeriesTable series;
    // Bumped whenever the set of series changes, so scrapes bring their order up to date only then.
    private final AtomicInteger shapeVersion = new AtomicInteger();
    private volatile SortedSeries sorted = new SortedSeries(-1, new SeriesCell[0], 0);
    private final Object sorting = new Object();
    // Whether a series may hold a value above Overflow.NEAR: pushes then check theirs first.
    private volatile boolean nearOverflow;
    // New series that pushes under way have reserved room for: see FamilySeriesCap.
    private final AtomicLong pendingNewSeries = new AtomicLong();
    // Whether a series may carry a label name outside the legacy character set: scrapes that escape
    // names then look at each label name. Set when such a series is created, kept until the family goes.
    private volatile boolean utf8LabelNames;

    /**
     * The series in label order, the most label bytes any has (what scrapes cut their slices by), and
     * what renderers keep about this set of series between scrapes (it lives as long as the order).
     */
    record SortedSeries(int version, SeriesCell[] cells, int largestLabelBytes, KnownSizes sizes) {
        SortedSeries(int version, SeriesCell[] cells, int largestLabelBytes) {
            this(version, cells, largestLabelBytes, new KnownSizes());
        }
    }

    StoredFamily(String name, MetricType type, String help) {
        this(name, type, help, null);
    }

    /** @param gaugeMode for gauge and untyped families, the mode their {@link GaugeCell}s combine by; {@code null} for plain sums */
    StoredFamily(String name, MetricType type, String help, GaugeMode gaugeMode) {
        this(name, type, help, gaugeMode, 0);
    }

    /** @param expectedSeries how many series it will hold soon: a restored family's, so its map is not grown step by step */
    StoredFamily(String name, MetricType type, String help, GaugeMode gaugeMode, int expectedSeries) {
        this.series = new SeriesTable(expectedSeries);
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

    AtomicLong pendingNewSeries() {
        return pendingNewSeries;
    }

    boolean holds(Labels labels) {
        return series.get(labels) != null;
    }

    /**
     * The label sets of this family's series, by encoding: a decoder that finds a series' labels here
     * hands over the stored series itself as that label set (a series is its labels) and builds none.
     */
    Labels.Known knownLabels() {
        return series::get;
    }

    /** The stored series with these labels, or {@code null}. */
    SeriesCell cell(Labels labels) {
        return series.get(labels);
    }

    boolean nearOverflow() {
        return nearOverflow;
    }

    /** Whether a series may carry a label name outside the legacy character set. */
    boolean utf8LabelNames() {
        return utf8LabelNames;
    }

    /** What the family itself takes of the byte budget (its series not included). */
    long footprint() {
        return Footprint.ofFamily(name, help);
    }

    /** What a new series pushed as {@code pushed} would take of the byte budget once stored in this family. */
    long footprintOfNew(Series pushed) {
        return Footprint.ofNewSeries(pushed, gaugeMode != null && pushed instanceof ScalarSample);
    }

    /**
     * Adds validated series, noting in {@code ledger} (when a scrape is copying) what it changes.
     * Counts new series and the bytes they and grown histograms take into {@code tally}.
     *
     * @param source the source of a cumulative push (its gauges set that source's value), or {@link #NO_SOURCE}
     * @param utf8LabelNames whether a pushed series may have a label name outside the legacy set (validation
     *                       looked at every name already): when not, new series are not looked at again
     */
    void add(List<Series> pushed, String pushedHelp, long nowMillis, int source, ValueLedger ledger, PushTally tally,
             boolean utf8LabelNames) {
        if (ledger != null) {
            ledger.beforeTouching(this);
        }
        if (help.isEmpty() && !pushedHelp.isEmpty()) {
            adoptHelp(pushedHelp, tally);
        }
        int created = 0;
        // a table too large for the cache has the next block's cells looked up together (see getAll)
        SeriesCell[] held = series.capacity() > SeriesTable.CHUNK_SLOTS
                ? new SeriesCell[Math.min(SeriesTable.LOOKUP_BLOCK, pushed.size())] : null;
        for (int i = 0; i < pushed.size(); i++) {
            Series s = pushed.get(i);
            SeriesCell cell;
            if (held == null) {
                cell = series.get(s.labels());
            } else {
                if (i % SeriesTable.LOOKUP_BLOCK == 0) {
                    series.getAll(pushed, i, Math.min(pushed.size(), i + SeriesTable.LOOKUP_BLOCK), held);
                }
                cell = held[i % SeriesTable.LOOKUP_BLOCK];
            }
            if (cell == null) {
                SeriesCell fresh = newCell(s, source, nowMillis);
                fresh.touch(nowMillis);
                if (ledger != null) {
                    ledger.beforeCreate(fresh);
                }
                if (utf8LabelNames && !this.utf8LabelNames && Labels.hasUtf8Name(s.labels())) {
                    this.utf8LabelNames = true; // before the series is there for a scrape to see
                }
                cell = series.putIfAbsent(fresh);
                if (cell == null) {
                    created++;
                    tally.bytes += fresh.footprint();
                    nearOverflow |= fresh.magnitude() > Overflow.NEAR;
                    continue;
                }
            }
            if (ledger != null) {
                ledger.beforeChange(cell);
            }
            boolean near = source != NO_SOURCE && cell instanceof GaugeCell gauge
                    ? gauge.setSource(source, ((ScalarSample) s).value())
                    : cell.add(s, tally);
            if (near) {
                nearOverflow = true;
            }
            cell.touch(nowMillis);
        }
        if (created > 0) {
            shapeVersion.incrementAndGet();
        }
        tally.newSeries += created;
    }

    /** The first non-empty help wins; the budget counts the help that stays. */
    private synchronized void adoptHelp(String pushedHelp, PushTally tally) {
        if (help.isEmpty()) {
            tally.bytes += Footprint.ofFamily(name, pushedHelp) - Footprint.ofFamily(name, help);
            help = pushedHelp;
        }
    }

    /** Series removed, and the bytes of the byte budget they took. */
    record Removed(int series, long bytes) {
    }

    private SeriesCell newCell(Series first, int source, long nowMillis) {
        if (gaugeMode != null && first instanceof ScalarSample sample) {
            return source == NO_SOURCE ? GaugeCell.ofDelta(sample, gaugeMode, nowMillis)
                    : GaugeCell.ofSource(sample, gaugeMode, source, nowMillis);
        }
        return SeriesCell.create(first, nowMillis);
    }

    /** The family's gauge mode, or {@code null} when its series simply add up or are histograms. */
    GaugeMode gaugeMode() {
        return gaugeMode;
    }

    /**
     * Adds restored series, before the store serves. When they come sorted by labels (as an image
     * holds them) into a family that held none, they are also the cached sort order, so the first
     * scrape need not sort them.
     *
     * @throws IllegalArgumentException when two have the same labels
     */
    void restore(List<SeriesCell> cells) {
        boolean ascending = true;
        int largest = 0;
        for (int i = 0; i < cells.size(); i++) {
            SeriesCell cell = cells.get(i);
            nearOverflow |= cell.magnitude() > Overflow.NEAR;
            ascending &= i == 0 || cells.get(i - 1).labels().compareTo(cell.labels()) < 0;
            largest = Math.max(largest, cell.labels().encodedSize());
        }
        SeriesCell[] ordered = cells.toArray(new SeriesCell[0]);
        boolean wholeOrder = ascending && series.size() == 0; // else the cells are noted, and the next sort merges them
        if (wholeOrder) {
            series.addDistinct(ordered); // strictly ascending: no two are equal
        } else {
            for (SeriesCell cell : ordered) {
                if (series.putIfAbsent(cell) != null) {
                    throw new IllegalArgumentException("family " + name + " holds series " + cell.labels() + " twice");
                }
            }
        }
        int version = shapeVersion.incrementAndGet();
        if (wholeOrder) {
            sorted = new SortedSeries(version, ordered, largest);
        }
    }

    /** Removes {@code cell} if it is still this family's; the caller holds the store's write lock. */
    boolean remove(SeriesCell cell) {
        boolean removed = series.remove(cell);
        if (removed) {
            shapeVersion.incrementAndGet();
        }
        return removed;
    }

    /** Removes the series {@code doomed} accepts; the caller holds the store's write lock. */
    Removed removeIf(Predicate<SeriesCell> doomed) {
        SeriesCell[] gone = series.removeIf(doomed);
        long bytes = 0;
        for (SeriesCell cell : gone) {
            bytes += cell.footprint();
        }
        int removed = gone.length;
        if (removed > 0) {
            shapeVersion.incrementAndGet();
        }
        return new Removed(removed, bytes);
    }

    /** Every series' share of the byte budget; the caller holds the store's write lock. */
    long seriesFootprint() {
        long bytes = 0;
        for (SeriesCell cell : series.toArray()) {
            bytes += cell.footprint();
        }
        return bytes;
    }

    /** The series sorted by labels; cached until the set of series changes. */
    SeriesCell[] sortedSeries() {
        return sorted().cells();
    }

    /**
     * The series sorted by labels, with their largest label set; cached until the set of series changes.
     * Then the series added since are sorted alone, in the order they came (a push's, often sorted
     * already), and merged into the order held, and series removed are left out of it: a family of a
     * million series that gains one between two scrapes is not sorted whole again (seconds of CPU: in
     * the table's order, each comparison of two series reads both, cache misses all). The whole table
     * is sorted only when the series added were not kept ({@link AddedCells}).
     */
    SortedSeries sorted() {
        SortedSeries current = sorted;
        if (current.version() == shapeVersion.get()) {
            return current;
        }
        synchronized (sorting) { // one sort at a time: each takes the table's changes since the one before
            int version = shapeVersion.get();
            current = sorted;
            if (current.version() == version) {
                return current;
            }
            SeriesTable.Changes changes = series.drainChanges();
            if (changes.added() == null) {
                // every series: those added after the drain come again in the next changes, and are merged once
                SeriesCell[] cells = series.toArray();
                Arrays.sort(cells, BY_LABELS);
                current = new SortedSeries(version, cells, largestLabelBytes(cells, 0));
            } else {
                SeriesCell[] kept = changes.removed() ? held(current.cells()) : current.cells();
                SeriesCell[] fresh = changes.removed() ? held(changes.added()) : changes.added();
                Arrays.sort(fresh, BY_LABELS);
                SeriesCell[] cells = merge(kept, fresh);
                int largest = largestLabelBytes(fresh, current.largestLabelBytes());
                // the same series in the same order (a sort raced with the change): what renderers kept still holds
                current = cells == current.cells() ? new SortedSeries(version, cells, largest, current.sizes())
                        : new SortedSeries(version, cells, largest);
            }
            sorted = current;
            return current;
        }
    }

    private SeriesCell[] held(SeriesCell[] cells) {
        SeriesCell[] out = new SeriesCell[cells.length];
        int count = 0;
        for (SeriesCell cell : cells) {
            if (series.holdsItself(cell)) {
                out[count++] = cell;
            }
        }
        return count == cells.length ? cells : Arrays.copyOf(out, count);
    }

    /**
     * The union of two arrays sorted by labels, sorted. A few fresh cells are each placed by a binary
     * search, the kept cells between two of them copied in one step; many are merged with the kept
     * ones in one pass over both. A cell in both (added while the table was sorted whole, so also in
     * that sort) is there once.
     */
    private static SeriesCell[] merge(SeriesCell[] kept, SeriesCell[] fresh) {
        if (fresh.length == 0) {
            return kept;
        }
        SeriesCell[] out = new SeriesCell[kept.length + fresh.length];
        int k = 0;
        int n = 0;
        if (fresh.length * 16L < kept.length) {
            for (SeriesCell cell : fresh) {
                int found = Arrays.binarySearch(kept, k, kept.length, cell, BY_LABELS);
                int before = found >= 0 ? found : -found - 1;
                System.arraycopy(kept, k, out, n, before - k);
                n += before - k;
                k = before;
                if (found < 0) {
                    out[n++] = cell;
                } // else: the same series (a table holds one cell a label set), placed with the kept ones
            }
        } else {
            int f = 0;
            while (k < kept.length && f < fresh.length) {
                int c = kept[k].compareTo(fresh[f]);
                if (c <= 0) {
                    out[n++] = kept[k++];
                    if (c == 0) {
                        f++; // the same series: once
                    }
                } else {
                    out[n++] = fresh[f++];
                }
            }
            System.arraycopy(fresh, f, out, n, fresh.length - f);
            n += fresh.length - f;
        }
        System.arraycopy(kept, k, out, n, kept.length - k);
        n += kept.length - k;
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** The most label bytes among {@code cells} and {@code atLeast}. */
    private static int largestLabelBytes(SeriesCell[] cells, int atLeast) {
        int largest = atLeast;
        for (SeriesCell cell : cells) {
            largest = Math.max(largest, cell.labels().encodedSize());
        }
        return largest;
    }
}
