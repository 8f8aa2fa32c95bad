package io.aggregationgateway.server.model;

/**
 * A series as a scrape reads it: fixed labels and a value that may change between reads. Each
 * read method returns one consistent state of the series (never half of a push), so a renderer
 * reads a series once and writes what that read returned.
 *
 * <p>The engine's stored series implement these views; values that live outside the store, such
 * as the gateway's own metrics, implement them too ({@link ScalarSample} is a {@link ScalarView}).
 */
public sealed interface SeriesView permits ScalarView, ClassicHistogramView, NativeHistogramView {
    /** What {@link #startMillis()} returns for a series without a start, such as the gateway's own metrics. */
    long NO_START = Long.MIN_VALUE;

    Labels labels();

    /**
     * When the series began in the gateway, in Unix epoch milliseconds: its first push since it was
     * last reset, expired or deleted, the moment from which its counts count. {@link #NO_START} when
     * it has none.
     */
    default long startMillis() {
        return NO_START;
    }
}
