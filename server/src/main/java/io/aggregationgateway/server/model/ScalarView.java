package io.aggregationgateway.server.model;

/** A counter, gauge or untyped series as a scrape reads it. */
public non-sealed interface ScalarView extends SeriesView {
    /** The current value. */
    double value();
}
