package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.Series;

/**
 * One stored series: its labels and its running aggregate. Renderers read cells through the
 * subclasses' read methods, which always return a consistent state of the series.
 */
public abstract sealed class SeriesCell permits ScalarCell, HistogramCell {
    private final Labels labels;

    SeriesCell(Labels labels) {
        this.labels = labels;
    }

    public final Labels labels() {
        return labels;
    }

    /** Adds a validated pushed series of the matching kind. */
    abstract void add(Series pushed);

    static SeriesCell create(Series first) {
        return switch (first) {
            case io.aggregationgateway.server.model.ScalarSample s -> new ScalarCell(s.labels(), s.value());
            case io.aggregationgateway.server.model.ClassicHistogram h -> new HistogramCell(h);
            case io.aggregationgateway.server.model.SummarySample s ->
                    throw new IllegalArgumentException("summaries are not stored");
        };
    }
}
