package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.MetricFamily;
import io.prometheus.client.CollectorRegistry;

import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a {@link PushClient} pushes: something that yields {@code MetricFamily} messages each time
 * a push is made.
 *
 * <p>The gateway <em>adds</em> every push to its sums. Registries hold running totals (a counter
 * that was 5 at the last push and is 7 now has counted 2 more), so the sources made by
 * {@link #of(CollectorRegistry)}, {@link #ofRunningTotals(Supplier)} and
 * {@link PrometheusRegistryConverter#source} are pushed as <em>increments</em>: each push
 * sends what changed since this client's last successful push of the same source (everything, the
 * first time), and the gateway's sum ends up equal to the registry's total. A failed push
 * leaves nothing out: its increments are part of the next one.
 *
 * <p>A source written as a lambda is pushed exactly as it returns its families: return
 * increments (for example "3 more jobs done"), not running totals.
 *
 * <p>{@link #collect()} is called by the pushing thread (the caller's, or the client's background
 * thread for periodic pushes), one call at a time per client.
 */
@FunctionalInterface
public interface MetricsSource {

    /**
     * The families to push now.
     *
     * @return the families; an empty list pushes nothing but still reaches the gateway
     */
    List<MetricFamily> collect();

    /**
     * A source reading a simpleclient registry, pushed as increments (see the type's description).
     *
     * @param registry the registry, for example {@link CollectorRegistry#defaultRegistry}
     * @return a source converting the registry with {@link CollectorRegistryConverter} on every push
     */
    static MetricsSource of(CollectorRegistry registry) {
        return new RunningTotalsSource(registry, () -> CollectorRegistryConverter.convert(registry));
    }

    /**
     * A source of families that hold running totals, such as a registry of another metrics
     * library converted by your own code; pushed as increments (see the type's description).
     * Keep the returned source and push it again: the increments are counted per source object.
     *
     * @param totals yields the current totals on every push
     * @return a source pushed as increments
     */
    static MetricsSource ofRunningTotals(Supplier<List<MetricFamily>> totals) {
        return new RunningTotalsSource(null, totals);
    }

    /**
     * A source that pushes the same families every time, as they are.
     *
     * @param families the families; copied
     * @return a source returning them
     */
    static MetricsSource ofFamilies(Collection<MetricFamily> families) {
        List<MetricFamily> copy = List.copyOf(families);
        return () -> copy;
    }
}
