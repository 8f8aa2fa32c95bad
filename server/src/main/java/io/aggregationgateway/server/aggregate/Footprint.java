package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricNames;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;

/**
 * What the store's byte budget counts: the heap a series or a family takes, estimated from the
 * objects involved on a 64-bit JVM with compressed references (12-byte object headers, 4-byte
 * references, sizes rounded up to 8 bytes). The estimate is a function of the stored state only,
 * so what a series adds to the budget is exactly what its removal gives back.
 *
 * <p>Measured against the live heap after a full GC, for a store of a million counter series with
 * 5 labels of about 60 bytes (bench/run's fill): the estimate is 146 B/series, the heap 145–148 B/series
 * (docs/memory.md).
 */
final class Footprint {
    /**
     * A series besides its label bytes and its cell: its share of the family's {@link SeriesTable} (a
     * 4-byte slot and a 1-byte tag, the table between three eighths and three quarters full: 10 at
     * half) and its slot in the cached sort order (4). The cell is the series' {@link Labels} object
     * (see {@link SeriesCell}).
     */
    static final long SERIES_ENTRY = 10 + 4;
    /**
     * A family besides its name and help: the stored family, its map, its node in the store's map,
     * its cached sort order, and the entries of its exposed names in the store's name index.
     */
    static final long FAMILY_ENTRY = 640;

    private Footprint() {
    }

    /** The budget a new series pushed as {@code pushed} takes once stored in a plain cell. */
    static long ofNewSeries(Series pushed) {
        return ofNewSeries(pushed, false);
    }

    /**
     * The budget a new series pushed as {@code pushed} takes once stored.
     *
     * @param gaugeCell whether it is stored in a {@link GaugeCell} (see {@link GaugeCells})
     */
    static long ofNewSeries(Series pushed, boolean gaugeCell) {
        return SERIES_ENTRY + labels(pushed.labels()) + (gaugeCell ? GAUGE_CELL : value(pushed));
    }

    /**
     * What a family whose name is not a legacy name adds for each escaping scheme: the name index's
     * entries of its escaped names (6 of about 64 bytes) besides those strings.
     */
    static final long ESCAPED_NAMES_ENTRY = 6 * 64;

    /**
     * The budget a family takes: its entry, its name (also in each of its exposed names) and its help,
     * counted as UTF-16 strings since a help text may hold any character. A name outside the legacy
     * character set is counted as UTF-16 too, and is also held escaped once for each escaping scheme
     * (ASCII, at most 6 characters for each of its characters, and a prefix).
     */
    static long ofFamily(String name, String help) {
        if (MetricNames.isLegacyMetricName(name)) {
            return FAMILY_ENTRY + 6L * array(name.length()) + array(2L * help.length());
        }
        long escapedNames = ESCAPED_NAMES_ENTRY + 6L * array(6L * name.length() + 3);
        return FAMILY_ENTRY + 6L * array(2L * name.length()) + array(2L * help.length())
                + NameEscaping.ESCAPING.size() * escapedNames;
    }

    static long labels(Labels labels) {
        return array(labels.encodedSize());
    }

    /** The cell and value objects a series takes, as they will be stored. */
    static long value(Series series) {
        return switch (series) {
            case ScalarSample s -> SCALAR_CELL;
            case ClassicHistogram h -> classicCell(h.upperBounds().length);
            case NativeHistogram h -> nativeCell(h);
            case SummarySample s -> 0;
        };
    }

    /** A {@link ScalarCell}: header, the label set's encoding reference, count and hash, last push, start, value. */
    static final long SCALAR_CELL = 48;

    /**
     * A {@link GaugeCell} without its sources: header, label set, last push, start, mode, the delta
     * pushes' part, three array references, counts and the published value (104 bytes in a class
     * histogram on JDK 25). What each source adds to it (12 to 20 bytes) belongs to that source's
     * state, which {@code --max-source-series} bounds instead.
     */
    static final long GAUGE_CELL = 104;

    /** A {@link HistogramCell} with {@code buckets} bounds: the cell and its two arrays. */
    static long classicCell(int buckets) {
        return 64 + 2 * array(8L * buckets);
    }

    /** A {@link NativeHistogramCell} holding {@code h}: the cell, the histogram, its buckets and classic part. */
    static long nativeCell(NativeHistogram h) {
        long bytes = 48 + 72 + buckets(h.positive()) + buckets(h.negative());
        ClassicHistogram classic = h.classic();
        if (classic != null) {
            // the record, its two arrays, and the boxed count and sum
            bytes += 32 + 2 * array(8L * classic.upperBounds().length) + 2 * 16;
        }
        return bytes;
    }

    private static long buckets(NativeBuckets b) {
        return 16 + array(4L * b.size()) + array(8L * b.size());
    }

    /** An array of {@code bytes} bytes of elements: header and length, rounded up to 8. */
    private static long array(long bytes) {
        return (16 + bytes + 7) & ~7L;
    }
}
