package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.ScalarView;

/**
 * A counter, gauge or untyped series as a scrape's view holds it: its value when the view was fixed,
 * and its cell for the labels and the start. The start is read from the cell only when asked (a
 * cell's start never changes): the text format has none, and at a million series reading it anyway
 * is one more cache miss per series (JFR of a one-thread text render: 14 % of its samples).
 */
record FrozenScalar(SeriesCell cell, double value) implements ScalarView {
    @Override
    public Labels labels() {
        return cell;
    }

    @Override
    public long startMillis() {
        return cell.startMillis();
    }
}
