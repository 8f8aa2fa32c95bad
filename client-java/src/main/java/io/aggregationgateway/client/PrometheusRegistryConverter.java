package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.metrics.Quantile;
import io.aggregationgateway.proto.metrics.Summary;
import io.aggregationgateway.proto.metrics.Untyped;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Converts what a client_java 1.x {@link PrometheusRegistry} holds into {@code MetricFamily}
 * messages, named and typed as client_java's own protobuf exposition does; what
 * {@link PushClientBuilder#registry} pushes.
 *
 * <ul>
 *   <li>Counter {@code x}: counter family {@code x_total}. Gauge: gauge. Unknown: untyped.</li>
 *   <li>Histogram: the classic buckets (cumulative, {@code +Inf} included), count and sum, and
 *       the native fields (schema, zero bucket, spans and deltas) when the histogram has native
 *       data; client_java's default histogram has both, and the gateway merges each part. Gauge
 *       histograms keep their type.</li>
 *   <li>Summary: count, sum and quantiles (the gateway discards summaries).</li>
 *   <li>Info {@code x}: gauge {@code x_info} of value 1 with the info labels. State set
 *       {@code x}: gauge {@code x} with a series per state, 1 when set and 0 otherwise.</li>
 * </ul>
 * Names and label names are the Prometheus names (dots become underscores). Created
 * timestamps, scrape timestamps and exemplars are not sent; labels with an empty value are left out.
 *
 * <p>Stateless and thread-safe.
 */
final class PrometheusRegistryConverter {
    private PrometheusRegistryConverter() {
    }

    /** A source scraping {@code registry} on every push, pushed as increments of its running totals. */
    static MetricsSource source(PrometheusRegistry registry) {
        return MetricsSource.ofRunningTotals(() -> convert(registry));
    }

    /** Scrapes the registry and converts the result: one family per metric, in the registry's order. */
    static List<MetricFamily> convert(PrometheusRegistry registry) {
        return convert(registry.scrape());
    }

    /** Converts snapshots already scraped, one family per snapshot, in the same order. */
    static List<MetricFamily> convert(MetricSnapshots snapshots) {
        List<MetricFamily> families = new ArrayList<>(snapshots.size());
        for (MetricSnapshot snapshot : snapshots) {
            families.add(convert(snapshot));
        }
        return families;
    }

    private static MetricFamily convert(MetricSnapshot snapshot) {
        MetricMetadata metadata = snapshot.getMetadata();
        String name = metadata.getPrometheusName();
        MetricFamily.Builder family;
        if (snapshot instanceof CounterSnapshot counter) {
            family = newFamily(name + "_total", MetricType.COUNTER, metadata);
            for (CounterSnapshot.CounterDataPointSnapshot point : counter.getDataPoints()) {
                family.addMetric(metric(point.getLabels()).setCounter(Counter.newBuilder().setValue(point.getValue())));
            }
        } else if (snapshot instanceof GaugeSnapshot gauge) {
            family = newFamily(name, MetricType.GAUGE, metadata);
            for (GaugeSnapshot.GaugeDataPointSnapshot point : gauge.getDataPoints()) {
                family.addMetric(metric(point.getLabels()).setGauge(Gauge.newBuilder().setValue(point.getValue())));
            }
        } else if (snapshot instanceof UnknownSnapshot unknown) {
            family = newFamily(name, MetricType.UNTYPED, metadata);
            for (UnknownSnapshot.UnknownDataPointSnapshot point : unknown.getDataPoints()) {
                family.addMetric(metric(point.getLabels()).setUntyped(Untyped.newBuilder().setValue(point.getValue())));
            }
        } else if (snapshot instanceof InfoSnapshot info) {
            family = newFamily(name + "_info", MetricType.GAUGE, metadata);
            for (InfoSnapshot.InfoDataPointSnapshot point : info.getDataPoints()) {
                family.addMetric(metric(point.getLabels()).setGauge(Gauge.newBuilder().setValue(1)));
            }
        } else if (snapshot instanceof StateSetSnapshot stateSet) {
            family = newFamily(name, MetricType.GAUGE, metadata);
            for (StateSetSnapshot.StateSetDataPointSnapshot point : stateSet.getDataPoints()) {
                for (int i = 0; i < point.size(); i++) {
                    family.addMetric(metric(point.getLabels())
                            .addLabel(LabelPair.newBuilder().setName(name).setValue(point.getName(i)))
                            .setGauge(Gauge.newBuilder().setValue(point.isTrue(i) ? 1 : 0)));
                }
            }
        } else if (snapshot instanceof SummarySnapshot summary) {
            family = newFamily(name, MetricType.SUMMARY, metadata);
            for (SummarySnapshot.SummaryDataPointSnapshot point : summary.getDataPoints()) {
                family.addMetric(metric(point.getLabels()).setSummary(summary(point)));
            }
        } else if (snapshot instanceof HistogramSnapshot histogram) {
            family = newFamily(name, histogram.isGaugeHistogram() ? MetricType.GAUGE_HISTOGRAM : MetricType.HISTOGRAM, metadata);
            for (HistogramSnapshot.HistogramDataPointSnapshot point : histogram.getDataPoints()) {
                family.addMetric(metric(point.getLabels()).setHistogram(histogram(point)));
            }
        } else {
            throw new IllegalArgumentException("metric " + name + ": unsupported snapshot type " + snapshot.getClass().getName());
        }
        return family.build();
    }

    private static MetricFamily.Builder newFamily(String name, MetricType type, MetricMetadata metadata) {
        MetricFamily.Builder family = MetricFamily.newBuilder().setName(name).setType(type);
        if (metadata.getHelp() != null && !metadata.getHelp().isEmpty()) {
            family.setHelp(metadata.getHelp());
        }
        if (metadata.hasUnit()) {
            family.setUnit(metadata.getUnit().toString());
        }
        return family;
    }

    private static Metric.Builder metric(Labels labels) {
        Metric.Builder metric = Metric.newBuilder();
        for (int i = 0; i < labels.size(); i++) {
            String value = labels.getValue(i);
            if (value != null && !value.isEmpty()) {
                metric.addLabel(LabelPair.newBuilder().setName(labels.getPrometheusName(i)).setValue(value));
            }
        }
        return metric;
    }

    private static Summary summary(SummarySnapshot.SummaryDataPointSnapshot point) {
        Summary.Builder summary = Summary.newBuilder();
        if (point.hasCount()) {
            summary.setSampleCount(point.getCount());
        }
        if (point.hasSum()) {
            summary.setSampleSum(point.getSum());
        }
        for (io.prometheus.metrics.model.snapshots.Quantile q : point.getQuantiles()) {
            summary.addQuantile(Quantile.newBuilder().setQuantile(q.getQuantile()).setValue(q.getValue()));
        }
        return summary.build();
    }

    private static Histogram histogram(HistogramSnapshot.HistogramDataPointSnapshot point) {
        Histogram.Builder histogram = Histogram.newBuilder();
        if (point.hasSum()) {
            histogram.setSampleSum(point.getSum());
        }
        long cumulative = 0;
        if (point.hasClassicHistogramData()) {
            // client_java keeps per-bucket counts; metrics.proto wants them cumulative
            ClassicHistogramBuckets buckets = point.getClassicBuckets();
            for (int i = 0; i < buckets.size(); i++) {
                cumulative += buckets.getCount(i);
                histogram.addBucket(Counts.bucket(buckets.getUpperBound(i), cumulative));
            }
        }
        histogram.setSampleCount(point.hasCount() ? point.getCount() : cumulative);
        if (!point.hasNativeHistogramData()) {
            return histogram.build();
        }
        // Both parts when client_java has both (its default): the gateway merges each by its own rule.
        histogram.setSchema(point.getNativeSchema())
                .setZeroThreshold(point.getNativeZeroThreshold())
                .setZeroCount(point.getNativeZeroCount());
        NativeBuckets.encode(indexes(point.getNativeBucketsForNegativeValues()), counts(point.getNativeBucketsForNegativeValues()),
                histogram::addNegativeSpan, histogram::addNegativeDelta);
        NativeBuckets.encode(indexes(point.getNativeBucketsForPositiveValues()), counts(point.getNativeBucketsForPositiveValues()),
                histogram::addPositiveSpan, histogram::addPositiveDelta);
        if (histogram.getPositiveSpanCount() == 0 && histogram.getNegativeSpanCount() == 0) {
            // metrics.proto's marker of a native histogram without buckets (else it reads as classic)
            histogram.addPositiveSpan(BucketSpan.newBuilder().setOffset(0).setLength(0));
        }
        return histogram.build();
    }

    private static int[] indexes(NativeHistogramBuckets buckets) {
        int[] indexes = new int[buckets.size()];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = buckets.getBucketIndex(i);
        }
        return indexes;
    }

    private static long[] counts(NativeHistogramBuckets buckets) {
        long[] counts = new long[buckets.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets.getCount(i);
        }
        return counts;
    }
}
