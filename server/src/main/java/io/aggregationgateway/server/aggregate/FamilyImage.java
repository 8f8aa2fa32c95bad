package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.MetricType;

import java.util.List;

/**
 * One stored family as plain values, for a {@link StoreImage}.
 *
 * @param gaugeMode the mode its gauge series combine by ({@link SeriesImage.Gauge}), or {@code null}
 *                  when they simply add up ({@link SeriesImage.Scalar}) or it is not a gauge family
 * @param series    sorted by labels
 */
public record FamilyImage(String name, MetricType type, String help, GaugeMode gaugeMode, List<SeriesImage> series) {
    public FamilyImage {
        series = List.copyOf(series);
    }
}
