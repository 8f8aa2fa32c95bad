package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.ScalarView;

/** A counter, gauge or untyped series as a scrape's view holds it: its value when the view was fixed, and its start. */
record FrozenScalar(Labels labels, double value, long startMillis) implements ScalarView {
}
