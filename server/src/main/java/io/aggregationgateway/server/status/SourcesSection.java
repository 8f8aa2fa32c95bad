package io.aggregationgateway.server.status;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.SourceFamilySummary;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The status page's "Sources" section, shown when source labels are configured: for each family
 * that sources push, how many live sources push it and how many (series, source) states it holds.
 */
public final class SourcesSection {
    static final String KEY = "sources";

    private SourcesSection() {
    }

    /**
     * @param labels the configured source labels
     * @param ttl    how long a silent source is kept; zero for ever
     */
    public static Supplier<Section> of(Aggregator aggregator, List<String> labels, Duration ttl) {
        return () -> section(aggregator, labels, ttl);
    }

    static Section section(Aggregator aggregator, List<String> labels, Duration ttl) {
        List<Section.Row> rows = new ArrayList<>();
        for (SourceFamilySummary family : aggregator.sourceSummaries()) {
            rows.add(Section.Row.of(family.family(), family.sources(), family.states()));
        }
        String kept = ttl.isZero() ? "kept until deleted" : "forgotten after " + ttl.toString().substring(2).toLowerCase(Locale.ROOT)
                + " without a push";
        String note = String.format(Locale.ROOT, "%,d live sources, %,d (series, source) states; source labels %s; a source is %s.",
                aggregator.liveSources(), aggregator.sourceStates(), String.join(", ", labels), kept);
        return new Section(KEY, "Sources", new Section.Table(List.of(
                new Section.Column("family", "Family", Section.Style.CODE),
                Section.Column.of("sources", "Live sources"),
                Section.Column.of("states", "Series states")), rows,
                "No source has pushed since start.", note));
    }
}
