package io.aggregationgateway.server.model;

import java.util.List;

/**
 * One push: its families and the grouping labels (from the URL path or the gRPC request)
 * that are added to, and override, every series' labels.
 *
 * @param replace          whether it replaces what its group pushed before ({@code PUT}, or a gRPC request
 *                         with {@code replace} set) rather than updating what it carries ({@code POST}): for a
 *                         push from a source, the source's series missing from it are forgotten; other pushes
 *                         add up either way
 * @param groupingInSeries grouping labels that every series' labels hold already, with these values, because
 *                         a decoder built them in ({@link Labels.Builder#buildWith}); {@link Labels#EMPTY} when
 *                         that is not known of every series. When they are the push's grouping labels, the
 *                         engine need not look for them in each series again.
 */
public record Push(Labels groupingLabels, List<MetricFamily> families, boolean replace, Labels groupingInSeries) {
    public Push {
        families = List.copyOf(families);
    }

    /** A push whose series' labels are as pushed (the grouping labels not built in). */
    public Push(Labels groupingLabels, List<MetricFamily> families, boolean replace) {
        this(groupingLabels, families, replace, Labels.EMPTY);
    }

    /** A push of what a decoder read, with the grouping labels it built into every series. */
    public Push(Labels groupingLabels, DecodedFamilies decoded, boolean replace) {
        this(groupingLabels, decoded.families(), replace, decoded.groupingInSeries());
    }

    /** A push that updates what it carries ({@code POST}). */
    public Push(Labels groupingLabels, List<MetricFamily> families) {
        this(groupingLabels, families, false);
    }

    /** Whether every series' labels hold the grouping labels already (see {@link #groupingInSeries()}). */
    public boolean seriesHoldGrouping() {
        return groupingLabels.equals(groupingInSeries);
    }
}
