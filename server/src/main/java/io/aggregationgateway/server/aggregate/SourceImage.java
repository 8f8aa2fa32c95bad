package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;

import java.util.List;

/**
 * One source as plain values, for a {@link StoreImage}: the grouping labels that name it, the id its
 * gauge values are kept under, when it last pushed, and its states.
 */
public record SourceImage(Labels key, int id, long lastPushMillis, List<Table> tables) {
    public SourceImage {
        tables = List.copyOf(tables);
    }

    /**
     * The source's states in one family: for each series it pushed (by the series' labels, without
     * the source labels) the value it pushed last, as {@link SeriesImage.Scalar} (counters, gauges,
     * untyped), {@link SeriesImage.Classic} or {@link SeriesImage.Native}, push time 0.
     */
    public record Table(String family, MetricType type, ImageList baselines) {
    }
}
