package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.metrics.Quantile;
import io.aggregationgateway.proto.metrics.Summary;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import static io.aggregationgateway.client.CollectorRegistrySourceTest.bucket;
import static io.aggregationgateway.client.Fixtures.label;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class IncrementTrackerTest {
    private final IncrementTracker tracker = new IncrementTracker();

    private static MetricFamily counter(double value, String... labels) {
        Metric.Builder metric = Metric.newBuilder().setCounter(Counter.newBuilder().setValue(value));
        for (int i = 0; i < labels.length; i += 2) {
            metric.addLabel(label(labels[i], labels[i + 1]));
        }
        return MetricFamily.newBuilder().setName("c_total").setType(MetricType.COUNTER).addMetric(metric).build();
    }

    private List<MetricFamily> pushAndCommit(List<MetricFamily> totals) {
        List<MetricFamily> increments = tracker.increments(totals);
        tracker.commit(totals);
        return increments;
    }

    @Test
    void theFirstPushSendsTheTotalsThenOnlyWhatChanged() {
        List<MetricFamily> first = List.of(counter(5));
        assertSame(first, pushAndCommit(first));
        assertEquals(2, pushAndCommit(List.of(counter(7))).get(0).getMetric(0).getCounter().getValue());
        assertEquals(0, pushAndCommit(List.of(counter(7))).get(0).getMetric(0).getCounter().getValue());
    }

    @Test
    void withoutCommitTheIncrementIsSentAgain() {
        pushAndCommit(List.of(counter(5)));
        tracker.increments(List.of(counter(7))); // that push failed: no commit
        assertEquals(3, pushAndCommit(List.of(counter(8))).get(0).getMetric(0).getCounter().getValue());
    }

    @Test
    void aCounterLowerThanLastTimeWasResetAndCountsWhole() {
        pushAndCommit(List.of(counter(5)));
        assertEquals(2, pushAndCommit(List.of(counter(2))).get(0).getMetric(0).getCounter().getValue());
    }

    @Test
    void labelOrderDoesNotMakeANewSeriesAndEachClientsTrackerKeepsItsOwnHistory() {
        pushAndCommit(List.of(counter(5, "a", "1", "b", "2")));
        assertEquals(1, pushAndCommit(List.of(counter(6, "b", "2", "a", "1"))).get(0).getMetric(0).getCounter().getValue());
        assertEquals(6, new IncrementTracker().increments(List.of(counter(6, "a", "1", "b", "2")))
                .get(0).getMetric(0).getCounter().getValue());
    }

    @Test
    void afterAResetTheWholeTotalsGoAgain() {
        pushAndCommit(List.of(counter(5)));
        tracker.reset(); // the gateway deleted the series
        assertEquals(7, pushAndCommit(List.of(counter(7))).get(0).getMetric(0).getCounter().getValue());
        assertEquals(1, pushAndCommit(List.of(counter(8))).get(0).getMetric(0).getCounter().getValue());
    }

    @Test
    void gaugeIncrementsMayBeNegative() {
        MetricFamily.Builder gauge = MetricFamily.newBuilder().setName("g").setType(MetricType.GAUGE);
        pushAndCommit(List.of(gauge.clone().addMetric(Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(10))).build()));
        List<MetricFamily> next = pushAndCommit(List.of(
                gauge.clone().addMetric(Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(4))).build()));
        assertEquals(-6, next.get(0).getMetric(0).getGauge().getValue());
    }

    private static MetricFamily histogram(Histogram histogram) {
        return MetricFamily.newBuilder().setName("h").setType(MetricType.HISTOGRAM)
                .addMetric(Metric.newBuilder().setHistogram(histogram)).build();
    }

    @Test
    void classicHistogramIncrementsPerBucketCountAndSum() {
        pushAndCommit(List.of(histogram(Histogram.newBuilder().setSampleCount(3).setSampleSum(2.5)
                .addBucket(bucket(1, 2)).addBucket(bucket(Double.POSITIVE_INFINITY, 3)).build())));
        Histogram next = pushAndCommit(List.of(histogram(Histogram.newBuilder().setSampleCount(7).setSampleSum(10)
                .addBucket(bucket(1, 3)).addBucket(bucket(Double.POSITIVE_INFINITY, 7)).build()))).get(0).getMetric(0).getHistogram();
        assertEquals(List.of(bucket(1, 1), bucket(Double.POSITIVE_INFINITY, 4)), next.getBucketList());
        assertEquals(4, next.getSampleCount());
        assertEquals(7.5, next.getSampleSum());
    }

    @Test
    void aHistogramWithNewBucketsOrFewerObservationsCountsWhole() {
        pushAndCommit(List.of(histogram(Histogram.newBuilder().setSampleCount(3).addBucket(bucket(1, 2)).build())));
        Histogram rebucketed = Histogram.newBuilder().setSampleCount(4).addBucket(bucket(2, 2)).build();
        assertEquals(rebucketed, pushAndCommit(List.of(histogram(rebucketed))).get(0).getMetric(0).getHistogram());
        Histogram reset = Histogram.newBuilder().setSampleCount(1).addBucket(bucket(2, 1)).build();
        assertEquals(reset, pushAndCommit(List.of(histogram(reset))).get(0).getMetric(0).getHistogram());
    }

    private static Histogram nativeHistogram(long zeroCount, SortedMap<Integer, Long> positive) {
        Histogram.Builder h = Histogram.newBuilder().setSchema(3).setZeroThreshold(1e-9).setZeroCount(zeroCount)
                .setSampleCount(zeroCount + positive.values().stream().mapToLong(Long::longValue).sum());
        NativeBuckets.encode(positive, h::addPositiveSpan, h::addPositiveDelta);
        return h.build();
    }

    @Test
    void nativeHistogramIncrementsPerBucketIndex() {
        pushAndCommit(List.of(histogram(nativeHistogram(1, new TreeMap<>(java.util.Map.of(0, 2L, 1, 1L, 5, 4L))))));
        Histogram next = pushAndCommit(List.of(histogram(nativeHistogram(3,
                new TreeMap<>(java.util.Map.of(0, 2L, 1, 4L, 5, 4L, 9, 1L)))))).get(0).getMetric(0).getHistogram();
        assertEquals(2, next.getZeroCount());
        assertEquals(6, next.getSampleCount());
        assertEquals(new TreeMap<>(java.util.Map.of(1, 3L, 9, 1L)),
                NativeBuckets.decode(next.getPositiveSpanList(), next.getPositiveDeltaList()));
    }

    @Test
    void summaryCountAndSumIncrementQuantilesStay() {
        MetricFamily.Builder summary = MetricFamily.newBuilder().setName("s").setType(MetricType.SUMMARY);
        pushAndCommit(List.of(summary.clone().addMetric(Metric.newBuilder().setSummary(
                Summary.newBuilder().setSampleCount(2).setSampleSum(10))).build()));
        Summary next = pushAndCommit(List.of(summary.clone().addMetric(Metric.newBuilder().setSummary(
                Summary.newBuilder().setSampleCount(5).setSampleSum(16)
                        .addQuantile(Quantile.newBuilder().setQuantile(0.5).setValue(3)))).build()))
                .get(0).getMetric(0).getSummary();
        assertEquals(3, next.getSampleCount());
        assertEquals(6, next.getSampleSum());
        assertEquals(3, next.getQuantile(0).getValue());
    }
}
