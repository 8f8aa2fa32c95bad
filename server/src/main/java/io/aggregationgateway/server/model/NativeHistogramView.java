package io.aggregationgateway.server.model;

/** A native histogram series as a scrape reads it. */
public non-sealed interface NativeHistogramView extends SeriesView {
    /** The current state: consistent, and never modified afterwards (do not modify its arrays). */
    NativeHistogram read();

    /**
     * What formats without native buckets (text 0.0.4, OpenMetrics 1.0) show: the classic buckets
     * when any push brought some, otherwise no buckets, with count and sum.
     */
    HistogramValues readClassic();
}
