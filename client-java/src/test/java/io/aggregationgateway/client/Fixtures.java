package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.metrics.Quantile;
import io.aggregationgateway.proto.metrics.Summary;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.List;

/**
 * The same metrics from each kind of source: 3 paid orders, 21 degrees, latencies 0.05, 0.5 and
 * 5 seconds (buckets 0.1 and 1), a summary, build info version 1.2, feature state "a".
 */
final class Fixtures {
    private Fixtures() {
    }

    static CollectorRegistry simpleclientRegistry() {
        CollectorRegistry registry = new CollectorRegistry();
        io.prometheus.client.Counter.build().name("orders").help("Orders.").labelNames("status").register(registry)
                .labels("paid").inc(3);
        io.prometheus.client.Gauge.build().name("temperature_celsius").help("Temperature.").register(registry).set(21);
        io.prometheus.client.Histogram latency = io.prometheus.client.Histogram.build().name("latency_seconds")
                .help("Latency.").buckets(0.1, 1).register(registry);
        latency.observe(0.05);
        latency.observe(0.5);
        latency.observe(5);
        io.prometheus.client.Summary.build().name("size_bytes").help("Sizes.").quantile(0.5, 0.05).register(registry)
                .observe(100);
        io.prometheus.client.Info.build().name("build").help("Build.").register(registry).info("version", "1.2");
        io.prometheus.client.Enumeration.build().name("feature").help("Feature.").states("a", "b").register(registry)
                .state("a");
        return registry;
    }

    static PrometheusRegistry prometheusRegistry() {
        PrometheusRegistry registry = new PrometheusRegistry();
        io.prometheus.metrics.core.metrics.Counter.builder().name("orders").help("Orders.").labelNames("status")
                .register(registry).labelValues("paid").inc(3);
        io.prometheus.metrics.core.metrics.Gauge.builder().name("temperature_celsius").help("Temperature.")
                .register(registry).set(21);
        // client_java's default: classic and native at once; the classic buckets are what is sent
        io.prometheus.metrics.core.metrics.Histogram latency = io.prometheus.metrics.core.metrics.Histogram.builder()
                .name("latency_seconds").help("Latency.").classicUpperBounds(0.1, 1).register(registry);
        latency.observe(0.05);
        latency.observe(0.5);
        latency.observe(5);
        io.prometheus.metrics.core.metrics.Summary.builder().name("size_bytes").help("Sizes.").quantile(0.5, 0.05)
                .register(registry).observe(100);
        io.prometheus.metrics.core.metrics.Info.builder().name("build_info").help("Build.").labelNames("version")
                .register(registry).setLabelValues("1.2");
        io.prometheus.metrics.core.metrics.StateSet.builder().name("feature").help("Feature.").states("a", "b")
                .register(registry).setTrue("a");
        return registry;
    }

    /** The same metrics as raw messages; the histogram leaves out +Inf, which its count stands for. */
    static List<MetricFamily> rawFamilies() {
        return List.of(
                MetricFamily.newBuilder().setName("orders_total").setHelp("Orders.").setType(MetricType.COUNTER)
                        .addMetric(Metric.newBuilder().addLabel(label("status", "paid"))
                                .setCounter(Counter.newBuilder().setValue(3))).build(),
                MetricFamily.newBuilder().setName("temperature_celsius").setType(MetricType.GAUGE)
                        .addMetric(Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(21))).build(),
                MetricFamily.newBuilder().setName("latency_seconds").setType(MetricType.HISTOGRAM)
                        .addMetric(Metric.newBuilder().setHistogram(Histogram.newBuilder()
                                .setSampleCount(3).setSampleSum(5.55)
                                .addBucket(Bucket.newBuilder().setUpperBound(0.1).setCumulativeCount(1))
                                .addBucket(Bucket.newBuilder().setUpperBound(1).setCumulativeCount(2)))).build(),
                MetricFamily.newBuilder().setName("size_bytes").setType(MetricType.SUMMARY)
                        .addMetric(Metric.newBuilder().setSummary(Summary.newBuilder().setSampleCount(1).setSampleSum(100)
                                .addQuantile(Quantile.newBuilder().setQuantile(0.5).setValue(100)))).build(),
                MetricFamily.newBuilder().setName("build_info").setType(MetricType.GAUGE)
                        .addMetric(Metric.newBuilder().addLabel(label("version", "1.2"))
                                .setGauge(Gauge.newBuilder().setValue(1))).build(),
                MetricFamily.newBuilder().setName("feature").setType(MetricType.GAUGE)
                        .addMetric(Metric.newBuilder().addLabel(label("feature", "a")).setGauge(Gauge.newBuilder().setValue(1)))
                        .addMetric(Metric.newBuilder().addLabel(label("feature", "b")).setGauge(Gauge.newBuilder().setValue(0)))
                        .build());
    }

    /** {@link #rawFamilies()} as a source of increments: every push sends them again. */
    static MetricsSource rawSource() {
        return MetricsSource.ofIncrements(Fixtures::rawFamilies);
    }

    /** A source of increments that pushes {@code families} every time. */
    static MetricsSource increments(MetricFamily... families) {
        List<MetricFamily> list = List.of(families);
        return MetricsSource.ofIncrements(() -> list);
    }

    static LabelPair label(String name, String value) {
        return LabelPair.newBuilder().setName(name).setValue(value).build();
    }
}
