package io.aggregationgateway.server.model;

import java.util.Comparator;
import java.util.List;

/**
 * A family as a scrape reads it. Name, type, help and the list of series are fixed when the view
 * is taken; each series is read through its {@link SeriesView}, whose read returns one consistent
 * state of it. The store hands out views whose values are copies taken as of one moment, so a
 * scrape shows every push wholly or not at all.
 *
 * @param series            the series sorted by labels
 * @param largestLabelBytes at least the {@link Labels#encodedSize()} of every series: what a renderer
 *                          sizes its slices by, known to the store without reading every series
 * @param utf8LabelNames    whether a series may carry a label name outside the legacy character set
 *                          ({@link MetricNames#isLegacyLabelName}): renderers look at each label name
 *                          only then, known to the store without reading every series
 * @param sizes             what renderers worked out over these very series in earlier scrapes and
 *                          keep for later ones; {@link KnownSizes#NONE} unless the store knows the
 *                          series to be those of earlier views
 */
public record FamilyView(String name, MetricType type, String help, List<SeriesView> series, int largestLabelBytes,
                         boolean utf8LabelNames, KnownSizes sizes) {

    /** A view whose largest label set and label names are found by reading each series' labels once. */
    public FamilyView(String name, MetricType type, String help, List<SeriesView> series) {
        this(name, type, help, series, largestLabelBytes(series), hasUtf8LabelName(series), KnownSizes.NONE);
    }

    /** A family of plain values that lives outside the store, such as the gateway's own metrics. */
    public static FamilyView ofSamples(String name, MetricType type, String help, List<ScalarSample> samples) {
        List<SeriesView> series = List.copyOf(samples.stream().sorted(Comparator.comparing(ScalarSample::labels)).toList());
        return new FamilyView(name, type, help, series);
    }

    private static boolean hasUtf8LabelName(List<SeriesView> series) {
        for (SeriesView s : series) {
            if (Labels.hasUtf8Name(s.labels())) {
                return true;
            }
        }
        return false;
    }

    private static int largestLabelBytes(List<SeriesView> series) {
        int largest = 0;
        for (SeriesView s : series) {
            largest = Math.max(largest, s.labels().encodedSize());
        }
        return largest;
    }
}
