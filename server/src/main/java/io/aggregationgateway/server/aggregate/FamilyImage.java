package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.MetricType;

/**
 * One stored family as plain values, for a {@link StoreImage}.
 *
 * @param gaugeMode the mode its gauge series combine by ({@link SeriesImage.Gauge}), or {@code null}
 *                  when they simply add up ({@link SeriesImage.Scalar}) or it is not a gauge family
 * @param series    sorted by labels (when the image was taken from an engine)
 */
public record FamilyImage(String name, MetricType type, String help, GaugeMode gaugeMode, ImageList series) {
}
