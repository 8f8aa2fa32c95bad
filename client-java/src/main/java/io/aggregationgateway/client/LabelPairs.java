package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.LabelPair;

import java.util.ArrayList;
import java.util.List;

/** Label pairs for metrics.proto, built from the parallel name and value lists the registries keep. */
final class LabelPairs {
    private LabelPairs() {
    }

    /**
     * Pairs names with values, leaving out {@code skip} (the {@code le} or {@code quantile} label
     * of a bucket or quantile sample) and labels with an empty value, which Prometheus treats as
     * absent.
     */
    static List<LabelPair> of(List<String> names, List<String> values, String skip) {
        List<LabelPair> pairs = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String value = values.get(i);
            if (!name.equals(skip) && value != null && !value.isEmpty()) {
                pairs.add(LabelPair.newBuilder().setName(name).setValue(value).build());
            }
        }
        return pairs;
    }
}
