package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.MetricFamily;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a {@link PushClient} pushes, given to its builder with
 * {@link PushClientBuilder#source(MetricsSource)}; for a client_java 1.x registry
 * {@link PushClientBuilder#registry} does it in one call, for a simpleclient registry
 * {@link CollectorRegistrySource#of}.
 *
 * <p>The gateway <em>adds</em> every push to its sums, so what a source yields matters:
 * <ul>
 *   <li>{@link #ofRunningTotals} (registries are of this kind): totals since the process started.
 *       A counter that was 5 at the last push and is 7 now has counted 2 more. The client pushes
 *       the <em>increments</em> since its last successful push (everything, the first time), so
 *       that the gateway's sum equals the source's total however often it is pushed. A failed push
 *       leaves nothing out: its increments go with the next one.</li>
 *   <li>{@link #ofIncrements}: families that already are increments ("3 more jobs done"), pushed
 *       exactly as they are returned.</li>
 * </ul>
 * The increments are counted by the client the source was given to, against the totals it pushed
 * last; each client keeps its own history.
 *
 * <p>The families are metrics.proto's {@code MetricFamily} messages, the model of Prometheus's
 * protobuf format (generated into {@code io.aggregationgateway.proto.metrics}), named and typed as
 * Prometheus scrapes them: a counter {@code x} is the family {@code x_total}.
 *
 * <p>The supplier is called on the pushing thread (the caller's, or the client's background
 * thread for periodic pushes), one call at a time per client.
 */
public final class MetricsSource {
    private final Supplier<List<MetricFamily>> families;
    private final boolean runningTotals;

    private MetricsSource(Supplier<List<MetricFamily>> families, boolean runningTotals) {
        this.families = Objects.requireNonNull(families, "families");
        this.runningTotals = runningTotals;
    }

    /**
     * A source of running totals, such as a registry of another metrics library converted by your
     * own code, pushed as increments (see the type's description).
     *
     * @param totals yields the current totals on every push
     * @return a source for {@link PushClientBuilder#source(MetricsSource)}
     */
    public static MetricsSource ofRunningTotals(Supplier<List<MetricFamily>> totals) {
        return new MetricsSource(totals, true);
    }

    /**
     * A source of increments, pushed exactly as {@code increments} returns them; the gateway adds
     * them to its sums. An empty list pushes nothing but still reaches the gateway.
     *
     * @param increments yields what to add on every push
     * @return a source for {@link PushClientBuilder#source(MetricsSource)}
     */
    public static MetricsSource ofIncrements(Supplier<List<MetricFamily>> increments) {
        return new MetricsSource(increments, false);
    }

    /** The families to push now, as the supplier returns them. */
    List<MetricFamily> collect() {
        return families.get();
    }

    /** Whether {@link #collect()} gives running totals, which the client turns into increments. */
    boolean isRunningTotals() {
        return runningTotals;
    }
}
