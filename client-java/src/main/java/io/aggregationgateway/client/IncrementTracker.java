package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.metrics.Summary;
import io.aggregationgateway.proto.metrics.Untyped;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns running totals into increments: remembers the totals of the last successful push, and
 * answers the difference. The gateway adds what it receives, so pushing increments makes its sum
 * equal to the source's total however often the source is pushed. One tracker per client, as a
 * client pushes one source.
 *
 * <p>A value lower than last time (a counter, a histogram count, a bucket) means the source was
 * reset (its process restarted, the registry was cleared): the whole current value is the
 * increment, as Prometheus's {@code rate()} reads a counter reset. Gauges and untyped values are
 * differences of any sign, so the gateway's sum follows the current values.
 *
 * <p>Not thread-safe: the client calls it under its push lock.
 */
final class IncrementTracker {
    private static final Comparator<LabelPair> BY_NAME = Comparator.comparing(LabelPair::getName);

    private Map<SeriesKey, Metric> lastPushed = Map.of();

    /** A series: family name, type and labels in name order (label order does not matter). */
    private record SeriesKey(String family, MetricType type, List<LabelPair> labels) {
        static SeriesKey of(MetricFamily family, Metric metric) {
            List<LabelPair> labels = new ArrayList<>(metric.getLabelList());
            labels.sort(BY_NAME);
            return new SeriesKey(family.getName(), family.getType(), labels);
        }
    }

    /** The increments of {@code totals} since the last {@link #commit}. */
    List<MetricFamily> increments(List<MetricFamily> totals) {
        if (lastPushed.isEmpty()) {
            return totals;
        }
        List<MetricFamily> increments = new ArrayList<>(totals.size());
        for (MetricFamily family : totals) {
            MetricFamily.Builder builder = family.toBuilder().clearMetric();
            for (Metric metric : family.getMetricList()) {
                Metric before = lastPushed.get(SeriesKey.of(family, metric));
                builder.addMetric(before == null ? metric : increment(family.getType(), metric, before));
            }
            increments.add(builder.build());
        }
        return increments;
    }

    /** Records {@code totals} as pushed successfully. */
    void commit(List<MetricFamily> totals) {
        Map<SeriesKey, Metric> pushed = new HashMap<>();
        for (MetricFamily family : totals) {
            for (Metric metric : family.getMetricList()) {
                pushed.put(SeriesKey.of(family, metric), metric);
            }
        }
        lastPushed = pushed;
    }

    /** Forgets what was pushed (the gateway deleted it): the next push sends the whole totals again. */
    void reset() {
        lastPushed = Map.of();
    }

    private static Metric increment(MetricType type, Metric now, Metric before) {
        Metric.Builder metric = now.toBuilder();
        switch (type) {
            case COUNTER -> {
                double value = now.getCounter().getValue();
                double last = before.getCounter().getValue();
                metric.setCounter(Counter.newBuilder().setValue(value >= last ? value - last : value));
            }
            case GAUGE -> metric.setGauge(Gauge.newBuilder().setValue(now.getGauge().getValue() - before.getGauge().getValue()));
            case UNTYPED -> metric.setUntyped(Untyped.newBuilder().setValue(now.getUntyped().getValue() - before.getUntyped().getValue()));
            case SUMMARY -> metric.setSummary(summary(now.getSummary(), before.getSummary()));
            case HISTOGRAM, GAUGE_HISTOGRAM -> metric.setHistogram(histogram(now.getHistogram(), before.getHistogram()));
        }
        return metric.build();
    }

    /** Count and sum as increments; quantiles as they are (they cannot be subtracted, and the gateway discards summaries). */
    private static Summary summary(Summary now, Summary before) {
        if (Long.compareUnsigned(now.getSampleCount(), before.getSampleCount()) < 0) {
            return now;
        }
        return now.toBuilder()
                .setSampleCount(now.getSampleCount() - before.getSampleCount())
                .setSampleSum(now.getSampleSum() - before.getSampleSum())
                .build();
    }

    private static Histogram histogram(Histogram now, Histogram before) {
        double count = Counts.sampleCount(now) - Counts.sampleCount(before);
        if (count < 0 || now.getBucketCount() != before.getBucketCount()) {
            return now; // a reset, or the bucket layout changed: the current histogram is all new
        }
        Histogram.Builder increment = now.toBuilder().clearBucket().clearSampleCount().clearSampleCountFloat();
        Counts.setSampleCount(increment, count);
        increment.setSampleSum(now.getSampleSum() - before.getSampleSum());
        for (int i = 0; i < now.getBucketCount(); i++) {
            Bucket bucket = now.getBucket(i);
            Bucket last = before.getBucket(i);
            double added = Counts.cumulativeCount(bucket) - Counts.cumulativeCount(last);
            if (bucket.getUpperBound() != last.getUpperBound() || added < 0) {
                return now;
            }
            increment.addBucket(Counts.bucket(bucket.getUpperBound(), added));
        }
        if (isNative(now) || isNative(before)) {
            return nativeIncrement(now, before, increment);
        }
        return increment.build();
    }

    private static boolean isNative(Histogram h) {
        return h.getPositiveSpanCount() > 0 || h.getNegativeSpanCount() > 0 || h.getZeroThreshold() > 0
                || h.getZeroCount() > 0 || h.getZeroCountFloat() > 0;
    }

    /**
     * Native buckets as increments, when both pushes have the same schema and zero bucket width
     * and integer counts. Otherwise (client_java changed the resolution, or float counts) the
     * current histogram is sent whole, as after a reset.
     */
    private static Histogram nativeIncrement(Histogram now, Histogram before, Histogram.Builder increment) {
        boolean comparable = now.getSchema() == before.getSchema()
                && now.getZeroThreshold() == before.getZeroThreshold()
                && now.getPositiveCountCount() == 0 && now.getNegativeCountCount() == 0
                && before.getPositiveCountCount() == 0 && before.getNegativeCountCount() == 0
                && now.getZeroCountFloat() == 0 && before.getZeroCountFloat() == 0
                && now.getZeroCount() >= before.getZeroCount();
        if (!comparable) {
            return now;
        }
        SortedMap<Integer, Long> positive = subtract(
                NativeBuckets.decode(now.getPositiveSpanList(), now.getPositiveDeltaList()),
                NativeBuckets.decode(before.getPositiveSpanList(), before.getPositiveDeltaList()));
        SortedMap<Integer, Long> negative = subtract(
                NativeBuckets.decode(now.getNegativeSpanList(), now.getNegativeDeltaList()),
                NativeBuckets.decode(before.getNegativeSpanList(), before.getNegativeDeltaList()));
        if (positive == null || negative == null) {
            return now;
        }
        increment.clearPositiveSpan().clearPositiveDelta().clearNegativeSpan().clearNegativeDelta()
                .setZeroCount(now.getZeroCount() - before.getZeroCount());
        NativeBuckets.encode(positive, increment::addPositiveSpan, increment::addPositiveDelta);
        NativeBuckets.encode(negative, increment::addNegativeSpan, increment::addNegativeDelta);
        if (increment.getPositiveSpanCount() == 0 && increment.getNegativeSpanCount() == 0) {
            increment.addPositiveSpan(BucketSpan.newBuilder().setOffset(0).setLength(0)); // still a native histogram
        }
        return increment.build();
    }

    /** now - before per bucket index, or null if any bucket went down (a reset). */
    private static SortedMap<Integer, Long> subtract(SortedMap<Integer, Long> now, SortedMap<Integer, Long> before) {
        SortedMap<Integer, Long> result = new TreeMap<>();
        for (var bucket : before.entrySet()) {
            if (now.getOrDefault(bucket.getKey(), 0L) < bucket.getValue()) {
                return null;
            }
        }
        for (var bucket : now.entrySet()) {
            long added = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0L);
            if (added != 0) {
                result.put(bucket.getKey(), added);
            }
        }
        return result;
    }
}
