package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeHistogram;

import java.util.Arrays;

/**
 * One stored series as plain values, for a {@link StoreImage}: its labels, when it was last pushed
 * to and when it began (wall-clock milliseconds; the start time scrapes show) and its aggregate. A
 * source's baseline (the value it pushed last) is one too, with no push or start time of its own (0).
 */
public sealed interface SeriesImage {
    Labels labels();

    long lastPushMillis();

    long startMillis();

    /** A counter, gauge or untyped series that adds up, or a scalar baseline. */
    record Scalar(Labels labels, long lastPushMillis, long startMillis, double value) implements SeriesImage {
    }

    /** A classic histogram. */
    record Classic(Labels labels, long lastPushMillis, long startMillis, HistogramValues values) implements SeriesImage {
        public Classic {
            if (values.bounds().length != values.cumulative().length) {
                throw new IllegalArgumentException(values.bounds().length + " bounds but "
                        + values.cumulative().length + " cumulative counts");
            }
        }
    }

    /** A native histogram, with its classic part if it has one; {@code value}'s labels are not read. */
    record Native(Labels labels, long lastPushMillis, long startMillis, NativeHistogram value) implements SeriesImage {
    }

    /**
     * A gauge or untyped series of a family with a gauge mode, or that sources push to: what its
     * delta pushes brought and each live source's last value (see {@link GaugeCell}).
     *
     * @param hasDelta    whether any delta push brought a value
     * @param delta       their sum, extreme or latest value, by the family's mode
     * @param deltaPushes how many delta pushes came (for {@code avg})
     * @param deltaOrder  for {@code last}: when the latest delta push came, counted in the cell's updates
     * @param sources     the ids of the sources holding a value, ascending
     * @param values      each source's last value
     * @param orders      for {@code last}: when each source's value came, in updates; else {@code null}
     * @param updates     the cell's update counter, which the orders count in
     */
    record Gauge(Labels labels, long lastPushMillis, long startMillis, boolean hasDelta, double delta, long deltaPushes, long deltaOrder,
                 int[] sources, double[] values, long[] orders, long updates) implements SeriesImage {
        public Gauge {
            if (values.length != sources.length || (orders != null && orders.length != sources.length)) {
                throw new IllegalArgumentException(sources.length + " sources but " + values.length + " values"
                        + (orders == null ? "" : " and " + orders.length + " orders"));
            }
            for (int i = 1; i < sources.length; i++) {
                if (sources[i] <= sources[i - 1]) {
                    throw new IllegalArgumentException("source ids not ascending: " + Arrays.toString(sources));
                }
            }
            if (!hasDelta && sources.length == 0) {
                throw new IllegalArgumentException("a gauge with neither delta pushes nor sources");
            }
        }
    }
}
