package io.aggregationgateway.server.model;

import java.util.List;

/**
 * One push: its families and the grouping labels (from the URL path or the gRPC request)
 * that are added to, and override, every series' labels.
 */
public record Push(Labels groupingLabels, List<MetricFamily> families) {
    public Push {
        families = List.copyOf(families);
    }
}
