package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;

/**
 * One stored series: its labels and its running aggregate. Each kind implements the
 * {@link io.aggregationgateway.server.model.SeriesView} a scrape reads it through.
 */
abstract sealed class SeriesCell permits ScalarCell, GaugeCell, HistogramCell, NativeHistogramCell {
    private final Labels labels;
    // Wall-clock millis of the last push to this series, for expiry. Same object size as without
    // it: the header, the labels reference and the value fill 24 of the 32 bytes anyway.
    private volatile long lastPushMillis;

    SeriesCell(Labels labels) {
        this.labels = labels;
    }

    public final Labels labels() {
        return labels;
    }

    final void touch(long nowMillis) {
        lastPushMillis = nowMillis;
    }

    final long lastPushMillis() {
        return lastPushMillis;
    }

    /** Adds a validated pushed series of the matching kind. */
    abstract void add(Series pushed);

    static SeriesCell create(Series first) {
        return switch (first) {
            case ScalarSample s -> new ScalarCell(s.labels(), s.value());
            case ClassicHistogram h -> new HistogramCell(h);
            case NativeHistogram h -> new NativeHistogramCell(h);
            case SummarySample s ->
                    throw new IllegalArgumentException("summaries are not stored");
        };
    }
}
