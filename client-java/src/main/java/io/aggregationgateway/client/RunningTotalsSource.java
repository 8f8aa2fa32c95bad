package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.MetricFamily;

import java.util.List;
import java.util.function.Supplier;

/**
 * A source whose families are running totals (a registry), which the client turns into
 * increments. Increments are tracked per {@link #identity()}: the registry when there is one, so
 * that {@code push(registry)} called twice counts against the same history.
 */
final class RunningTotalsSource implements MetricsSource {
    private final Object registry;
    private final Supplier<List<MetricFamily>> totals;

    /** @param registry the registry read, or null to track this source object itself */
    RunningTotalsSource(Object registry, Supplier<List<MetricFamily>> totals) {
        this.registry = registry;
        this.totals = totals;
    }

    @Override
    public List<MetricFamily> collect() {
        return totals.get();
    }

    /** What increments are counted against; compared by identity. */
    Object identity() {
        return registry != null ? registry : this;
    }
}
