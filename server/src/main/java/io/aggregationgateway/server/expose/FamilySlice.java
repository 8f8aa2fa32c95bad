package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.SeriesView;

import java.util.ArrayList;
import java.util.List;

/**
 * A run of consecutive series of one family: the unit a scrape is rendered in, so that a family
 * of a million series can be rendered by several threads and still be written in order.
 *
 * @param from index of the first series; the slice starting at 0 also carries the family's header
 * @param to   index after the last series
 */
record FamilySlice(FamilyView family, int from, int to) {
    // Slices small enough that the few a scrape holds at a time cost little memory (a scalar series
    // renders to ~100 bytes: ~200 KB a slice, under G1's humongous-object size even with 1 MB
    // regions), large enough that handing one to another thread costs nothing next to rendering it.
    static final int SCALAR_SERIES_PER_SLICE = 2048;
    // A classic histogram is a dozen lines or more per series.
    static final int HISTOGRAM_SERIES_PER_SLICE = 128;

    boolean startsFamily() {
        return from == 0;
    }

    int size() {
        return to - from;
    }

    /**
     * The label bytes of the slice's series, to size a sink. Reading them before rendering also
     * brings them into the cache faster than rendering would: at a million series each series'
     * cell, label set and label bytes are cache misses that depend on one another, which the CPU
     * cannot overlap within one series. In this small loop it has the misses of many series in
     * flight at once, and rendering then finds them in the cache: 285 -> 226 ms to render a million
     * series as text on one thread (JMH RenderBenchmark).
     */
    long labelBytes() {
        List<SeriesView> series = family.series();
        long bytes = 0;
        for (int i = from; i < to; i++) {
            bytes += series.get(i).labels().encodedSize();
        }
        return bytes;
    }

    /** The families cut into slices, in scrape order; a family without series still gets one (its header). */
    static List<FamilySlice> split(List<FamilyView> families) {
        List<FamilySlice> slices = new ArrayList<>();
        for (FamilyView family : families) {
            int count = family.series().size();
            int step = family.type().isHistogram() ? HISTOGRAM_SERIES_PER_SLICE : SCALAR_SERIES_PER_SLICE;
            int from = 0;
            do {
                int to = (int) Math.min(count, (long) from + step);
                slices.add(new FamilySlice(family, from, to));
                from = to;
            } while (from < count);
        }
        return slices;
    }
}
