package io.aggregationgateway.server.model;

import java.util.List;

/**
 * One push: its families and the grouping labels (from the URL path or the gRPC request)
 * that are added to, and override, every series' labels.
 *
 * @param replace whether it replaces what its group pushed before ({@code PUT}, or a gRPC request
 *                with {@code replace} set) rather than updating what it carries ({@code POST}): for a
 *                push from a source, the source's series missing from it are forgotten; other pushes
 *                add up either way
 */
public record Push(Labels groupingLabels, List<MetricFamily> families, boolean replace) {
    public Push {
        families = List.copyOf(families);
    }

    /** A push that updates what it carries ({@code POST}). */
    public Push(Labels groupingLabels, List<MetricFamily> families) {
        this(groupingLabels, families, false);
    }
}
