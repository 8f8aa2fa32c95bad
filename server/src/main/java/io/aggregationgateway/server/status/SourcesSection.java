package io.aggregationgateway.server.status;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.SourceFamilySummary;
import io.aggregationgateway.server.aggregate.SourceSettings;
import io.aggregationgateway.server.model.MetricType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The status's two sections about sources, shown when source labels are configured: "Sources"
 * (how many are live, their states against the limit, how long a silent one is kept, expiries and
 * restarts since start) and "Families from sources" (for each family sources push: its gauge mode,
 * how many live sources push it, its (series, source) states).
 */
public final class SourcesSection {
    static final String KEY = "sources";
    static final String FAMILIES_KEY = "sourceFamilies";

    private SourcesSection() {
    }

    /** Both sections, in page order. */
    public static List<Supplier<Section>> of(Aggregator aggregator, SourceSettings settings) {
        return List.of(() -> summary(aggregator, settings), () -> families(aggregator));
    }

    static Section summary(Aggregator aggregator, SourceSettings settings) {
        return new Section(KEY, "Sources", new Section.Facts(List.of(
                new Section.Fact("sourceLabels", "Source labels", String.join(", ", settings.labelNames())),
                new Section.Fact("live", "Live sources", aggregator.liveSources()),
                new Section.Fact("states", "(series, source) states", aggregator.sourceStates()),
                new Section.Fact("maxStates", "State limit (--max-source-series)", settings.maxStates()),
                // none (shown as a dash): kept until deleted
                new Section.Fact("ttlSeconds", "Silent sources forgotten after (--source-ttl)",
                        settings.ttl().isZero() ? null : settings.ttl()),
                new Section.Fact("expired", "Forgotten by the TTL since start", aggregator.sourceExpiries()),
                new Section.Fact("restarts", "Restarts detected since start", aggregator.sourceRestarts()))));
    }

    static Section families(Aggregator aggregator) {
        List<Section.Row> rows = new ArrayList<>();
        for (SourceFamilySummary family : aggregator.sourceSummaries()) {
            boolean gauge = family.type() == MetricType.GAUGE || family.type() == MetricType.UNTYPED;
            rows.add(Section.Row.of(family.family(), family.type().textName(),
                    gauge ? aggregator.gaugeModeOf(family.family()).flagName() : null,
                    family.sources(), family.states()));
        }
        return new Section(FAMILIES_KEY, "Families from sources", new Section.Table(List.of(
                new Section.Column("family", "Family", Section.Style.CODE),
                new Section.Column("type", "Type", Section.Style.BADGE),
                new Section.Column("gaugeMode", "Gauge mode", Section.Style.BADGE),
                Section.Column.of("sources", "Live sources"),
                Section.Column.of("states", "Series states")), rows,
                "No source has pushed since start.",
                "Counters and histograms add what each source's running totals grew by; gauges and untyped show"
                        + " their gauge mode over the live sources' last values."));
    }
}
