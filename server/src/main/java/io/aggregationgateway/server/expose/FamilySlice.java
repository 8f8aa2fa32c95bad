package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.SeriesView;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A run of consecutive series of one family: the unit a scrape is rendered in, so that a family
 * of a million series can be rendered by several threads and still be written in order.
 *
 * @param from    index of the first series; the slice starting at 0 also carries the family's header
 * @param to      index after the last series
 * @param leftOut indexes of series the scrape leaves out (see {@link EscapedSeries}), or {@code null}
 */
record FamilySlice(FamilyView family, int from, int to, BitSet leftOut) {
    // Slices small enough that the few a scrape holds at a time cost little memory (a scalar series
    // renders to ~100 bytes: ~200 KB a slice, under G1's humongous-object size even with 1 MB
    // regions), large enough that handing one to another thread and writing it cost nothing next to
    // rendering it.
    static final int SCALAR_SERIES_PER_SLICE = 2048;
    /**
     * How many series of a slice are brought into the cache ({@link #labelBytes(int, int, boolean)})
     * and then rendered at a time: few enough that their cells and label bytes (three or four cache
     * lines a series) and their output still fit a core's L2 (512 KB here) when rendering reads them.
     * With all 2,048 of a slice at once, rendering a million series as text missed on each cell again;
     * 512 at a time costs 15 % less on one thread (256: no better).
     */
    static final int CACHED_SERIES = 512;
    // A classic histogram is a dozen lines or more per series.
    static final int HISTOGRAM_SERIES_PER_SLICE = 128;

    /** What a slice of series with long labels is cut to, about. */
    static final long SLICE_BYTES = 1 << 20;
    // lines per histogram series assumed for cutting: a dozen buckets, _sum and _count
    private static final int HISTOGRAM_LINES = 16;

    static int seriesPerSlice(FamilyView family) {
        boolean histogram = family.type().isHistogram();
        long line = family.largestLabelBytes() + family.name().length() + 48L; // quotes, commas, le, value
        long seriesBytes = histogram ? HISTOGRAM_LINES * line : line;
        long fits = Math.max(1, SLICE_BYTES / seriesBytes);
        return (int) Math.min(histogram ? HISTOGRAM_SERIES_PER_SLICE : SCALAR_SERIES_PER_SLICE, fits);
    }

    boolean startsFamily() {
        return from == 0;
    }

    /** Whether the scrape writes the family's {@code i}-th series. */
    boolean writes(int i) {
        return leftOut == null || !leftOut.get(i);
    }

    int size() {
        return to - from;
    }

    /** Where the block of series that starts at {@code blockFrom} ends: at most {@link #CACHED_SERIES} of them. */
    int blockEnd(int blockFrom) {
        return (int) Math.min(to, (long) blockFrom + CACHED_SERIES);
    }

    /**
     * The label bytes of the series {@code [blockFrom, blockTo)}, to size a sink; read just before
     * those series are rendered (see {@link #CACHED_SERIES}). Reading them before rendering also
     * brings them into the cache faster than rendering would: at a million series each series'
     * cell, label set and label bytes are cache misses that depend on one another, which the CPU
     * cannot overlap within one series. In this small loop it has the misses of many series in
     * flight at once, and rendering then finds them in the cache: 285 -> 226 ms to render a million
     * series as text on one thread (JMH RenderBenchmark). It reads the end of each set's bytes too,
     * not only their length, so that the set's last cache line comes in the same way.
     *
     * <p>With {@code readingStarts} it reads each series' start as well: for the formats that write
     * it (OpenMetrics {@code _created}, protobuf {@code created_timestamp}), whose rendering would
     * otherwise miss on the cell a second time, where the start lies (JFR of a one-thread 1M protobuf
     * render: 14 % of its samples on that read).
     *
     * @return the label bytes, or up to two bytes a series more
     */
    long labelBytes(int blockFrom, int blockTo, boolean readingStarts) {
        List<SeriesView> series = family.series();
        long bytes = 0;
        for (int i = blockFrom; i < blockTo; i++) {
            SeriesView view = series.get(i);
            bytes += view.labels().encodedSizeReadingTheEnd();
            if (readingStarts) {
                bytes += view.startMillis() & 1;
            }
        }
        return bytes;
    }

    /**
     * The families cut into slices, in scrape order; a family without series still gets one (its header).
     * Series with long label sets get fewer per slice, so that a slice stays near {@link #SLICE_BYTES}
     * however long they are (64 labels of 4 KB make a quarter-megabyte line). With names escaped, a
     * series whose escaped labels are those of an earlier one is left out, and {@code leftOutReport}
     * gets a line about it.
     */
    static List<FamilySlice> split(List<FamilyView> families, NameEscaping escaping, List<String> leftOutReport) {
        return split(families, escaping, leftOutReport, false);
    }

    /**
     * {@link #split(List, NameEscaping, List)}, but each histogram family in one slice when
     * {@code wholeHistograms}: protobuf writes a family's size ahead of it, and a histogram's size
     * is known only once it is encoded.
     */
    static List<FamilySlice> split(List<FamilyView> families, NameEscaping escaping, List<String> leftOutReport,
                                   boolean wholeHistograms) {
        List<FamilySlice> slices = new ArrayList<>();
        for (FamilyView family : families) {
            BitSet leftOut = escaping != NameEscaping.ALLOW_UTF8 && family.utf8LabelNames()
                    ? EscapedSeries.leftOut(family, escaping, leftOutReport) : null;
            int count = family.series().size();
            int step = wholeHistograms && family.type().isHistogram() ? Math.max(1, count) : seriesPerSlice(family);
            int from = 0;
            do {
                int to = (int) Math.min(count, (long) from + step);
                slices.add(new FamilySlice(family, from, to, leftOut));
                from = to;
            } while (from < count);
        }
        return slices;
    }
}
