package io.aggregationgateway.server.model;

import java.util.List;

/**
 * A decoded family of one push.
 *
 * @param name   the family name; for counters the series name as Prometheus stores it
 *               (usually ending in {@code _total})
 * @param type   its type ({@link MetricType#UNTYPED} when the push declared none)
 * @param help   help text, empty when none
 * @param series its series, in push order
 */
public record MetricFamily(String name, MetricType type, String help, List<Series> series) {
    public MetricFamily {
        series = List.copyOf(series);
        help = help == null ? "" : help;
    }
}
