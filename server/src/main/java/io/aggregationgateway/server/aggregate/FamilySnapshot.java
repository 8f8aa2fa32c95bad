package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.ScalarSample;

import java.util.Comparator;
import java.util.List;

/**
 * A family as a scrape sees it.
 *
 * @param series the series sorted by labels; read each through its cell's read method
 */
public record FamilySnapshot(String name, MetricType type, String help, List<SeriesCell> series) {

    /** The most label bytes ({@link io.aggregationgateway.server.model.Labels#encodedSize()}) a series has. */
    public int largestLabelBytes() {
        if (series instanceof FrozenSeries frozen) {
            return frozen.largestLabelBytes(); // known from the store, without reading every series
        }
        int largest = 0;
        for (SeriesCell cell : series) {
            largest = Math.max(largest, cell.labels().encodedSize());
        }
        return largest;
    }

    /** A family of plain values that lives outside the store, such as the gateway's own metrics. */
    public static FamilySnapshot ofSamples(String name, MetricType type, String help, List<ScalarSample> samples) {
        List<SeriesCell> cells = samples.stream()
                .sorted(Comparator.comparing(ScalarSample::labels))
                .<SeriesCell>map(s -> new ScalarCell(s.labels(), s.value()))
                .toList();
        return new FamilySnapshot(name, type, help, cells);
    }
}
