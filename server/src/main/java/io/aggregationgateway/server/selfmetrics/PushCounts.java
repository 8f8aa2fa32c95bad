package io.aggregationgateway.server.selfmetrics;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The push counters at one moment, since the gateway started: what {@code aggregation_gateway_pushes_total}
 * and {@code aggregation_gateway_rejections_total} say, keyed for the status page.
 *
 * @param acceptedByFormat accepted pushes by format label
 * @param rejectedByFormat rejected pushes by format label
 * @param rejectedByReason rejected pushes by reason, lower case as in the metric's label
 */
public record PushCounts(Map<String, Long> acceptedByFormat, Map<String, Long> rejectedByFormat,
                         Map<String, Long> rejectedByReason) {
    public static final PushCounts NONE = new PushCounts(Map.of(), Map.of(), Map.of());

    public PushCounts {
        acceptedByFormat = sorted(acceptedByFormat);
        rejectedByFormat = sorted(rejectedByFormat);
        rejectedByReason = sorted(rejectedByReason);
    }

    private static Map<String, Long> sorted(Map<String, Long> counts) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(counts));
    }
}
