package io.aggregationgateway.server.model;

import java.util.Comparator;
import java.util.List;

/**
 * A family as a scrape reads it. Name, type, help and the list of series are fixed when the view
 * is taken; the series' values are live: each read of a series returns its state at that moment
 * (see {@link SeriesView}), so a scrape that reads every series once shows each one consistently.
 *
 * @param series the series sorted by labels
 */
public record FamilyView(String name, MetricType type, String help, List<SeriesView> series) {

    /** A family of plain values that lives outside the store, such as the gateway's own metrics. */
    public static FamilyView ofSamples(String name, MetricType type, String help, List<ScalarSample> samples) {
        List<SeriesView> series = List.copyOf(samples.stream().sorted(Comparator.comparing(ScalarSample::labels)).toList());
        return new FamilyView(name, type, help, series);
    }
}
