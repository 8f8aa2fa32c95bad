package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.aggregationgateway.client.CollectorRegistrySourceTest.bucket;
import static io.aggregationgateway.client.Fixtures.label;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PrometheusRegistryConverterTest {

    private static Map<String, MetricFamily> byName(List<MetricFamily> families) {
        return families.stream().collect(Collectors.toMap(MetricFamily::getName, Function.identity()));
    }

    @Test
    void everyMetricTypeIsNamedAndShapedAsClientJavaExposesIt() {
        Map<String, MetricFamily> families = byName(PrometheusRegistryConverter.convert(Fixtures.prometheusRegistry()));

        assertEquals(Map.of("orders_total", MetricType.COUNTER, "temperature_celsius", MetricType.GAUGE,
                        "latency_seconds", MetricType.HISTOGRAM, "size_bytes", MetricType.SUMMARY,
                        "build_info", MetricType.GAUGE, "feature", MetricType.GAUGE),
                families.values().stream().collect(Collectors.toMap(MetricFamily::getName, MetricFamily::getType)));

        assertEquals(List.of(label("status", "paid")), families.get("orders_total").getMetric(0).getLabelList());
        assertEquals(3, families.get("orders_total").getMetric(0).getCounter().getValue());
        assertEquals("Orders.", families.get("orders_total").getHelp());
        assertEquals(21, families.get("temperature_celsius").getMetric(0).getGauge().getValue());

        Histogram latency = families.get("latency_seconds").getMetric(0).getHistogram();
        assertEquals(List.of(bucket(0.1, 1), bucket(1, 2), bucket(Double.POSITIVE_INFINITY, 3)), latency.getBucketList(),
                "client_java's per-bucket counts become cumulative");
        assertEquals(3, latency.getSampleCount());
        assertEquals(5.55, latency.getSampleSum(), 1e-12);
        long nativeObservations = latency.getZeroCount()
                + NativeBuckets.decode(latency.getPositiveSpanList(), latency.getPositiveDeltaList()).values().stream().mapToLong(Long::longValue).sum()
                + NativeBuckets.decode(latency.getNegativeSpanList(), latency.getNegativeDeltaList()).values().stream().mapToLong(Long::longValue).sum();
        assertEquals(3, nativeObservations, "classic and native at once: the native part is sent too");

        assertEquals(1, families.get("size_bytes").getMetric(0).getSummary().getSampleCount());
        assertEquals(100, families.get("size_bytes").getMetric(0).getSummary().getSampleSum());
        assertEquals(List.of(label("version", "1.2")), families.get("build_info").getMetric(0).getLabelList());
        assertEquals(1, families.get("build_info").getMetric(0).getGauge().getValue());
        assertEquals(Map.of("a", 1.0, "b", 0.0), families.get("feature").getMetricList().stream().collect(
                Collectors.toMap(m -> m.getLabel(0).getValue(), m -> m.getGauge().getValue())));
    }

    @Test
    void unknownBecomesUntypedAndDottedNamesBecomePrometheusNames() {
        MetricSnapshots snapshots = MetricSnapshots.of(UnknownSnapshot.builder().name("http.inflight")
                .dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder().value(7)
                        .labels(Labels.of("route.name", "/x", "empty", "")).build())
                .build());

        MetricFamily family = PrometheusRegistryConverter.convert(snapshots).get(0);

        assertEquals("http_inflight", family.getName());
        assertEquals(MetricType.UNTYPED, family.getType());
        assertEquals(List.of(label("route_name", "/x")), family.getMetric(0).getLabelList());
        assertEquals(7, family.getMetric(0).getUntyped().getValue());
    }

    @Test
    void aNativeOnlyHistogramSendsItsNativeFieldsExactly() {
        PrometheusRegistry registry = new PrometheusRegistry();
        io.prometheus.metrics.core.metrics.Histogram h = io.prometheus.metrics.core.metrics.Histogram.builder()
                .name("native_seconds").nativeOnly().register(registry);
        for (double v : new double[]{0, 0.001, 1, 1.1, 1.2, 3, 100, -2, -2.5}) {
            h.observe(v);
        }
        HistogramSnapshot.HistogramDataPointSnapshot point =
                ((HistogramSnapshot) registry.scrape().get(0)).getDataPoints().get(0);

        Histogram proto = PrometheusRegistryConverter.convert(registry).get(0).getMetric(0).getHistogram();

        assertEquals(0, proto.getBucketCount());
        assertEquals(point.getNativeSchema(), proto.getSchema());
        assertEquals(point.getNativeZeroThreshold(), proto.getZeroThreshold());
        assertEquals(point.getNativeZeroCount(), proto.getZeroCount());
        assertEquals(9, proto.getSampleCount());
        assertEquals(asMap(point.getNativeBucketsForPositiveValues()),
                NativeBuckets.decode(proto.getPositiveSpanList(), proto.getPositiveDeltaList()));
        assertEquals(asMap(point.getNativeBucketsForNegativeValues()),
                NativeBuckets.decode(proto.getNegativeSpanList(), proto.getNegativeDeltaList()));
    }

    @Test
    void anEmptyNativeHistogramStillReadsAsNative() {
        PrometheusRegistry registry = new PrometheusRegistry();
        io.prometheus.metrics.core.metrics.Histogram.builder().name("idle_seconds").nativeOnly().register(registry)
                .observe(0); // only the zero bucket: no spans of its own
        Histogram proto = PrometheusRegistryConverter.convert(registry).get(0).getMetric(0).getHistogram();
        assertEquals(1, proto.getZeroCount());
        assertEquals(1, proto.getPositiveSpanCount(), "the no-op span (0, 0) marks it native");
        assertEquals(0, proto.getPositiveSpan(0).getLength());
    }

    private static SortedMap<Integer, Long> asMap(NativeHistogramBuckets buckets) {
        SortedMap<Integer, Long> map = new TreeMap<>();
        for (int i = 0; i < buckets.size(); i++) {
            map.put(buckets.getBucketIndex(i), buckets.getCount(i));
        }
        return map;
    }
}
