package io.aggregationgateway.server.model;

/** A classic (bucketed) histogram series as a scrape reads it. */
public non-sealed interface ClassicHistogramView extends SeriesView {
    /** A consistent copy of the current state; the caller may keep it. */
    HistogramValues read();
}
