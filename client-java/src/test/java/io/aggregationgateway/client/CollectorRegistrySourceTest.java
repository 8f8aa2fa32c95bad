package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.aggregationgateway.client.Fixtures.label;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollectorRegistrySourceTest {

    private static Map<String, MetricFamily> byName(List<MetricFamily> families) {
        return families.stream().collect(Collectors.toMap(MetricFamily::getName, Function.identity()));
    }

    @Test
    void everyBuiltInMetricTypeIsNamedAndShapedAsPrometheusScrapesIt() {
        Map<String, MetricFamily> families = byName(CollectorRegistrySource.convert(Fixtures.simpleclientRegistry()));

        assertEquals(Map.of("orders_total", MetricType.COUNTER, "temperature_celsius", MetricType.GAUGE,
                        "latency_seconds", MetricType.HISTOGRAM, "size_bytes", MetricType.SUMMARY,
                        "build_info", MetricType.GAUGE, "feature", MetricType.GAUGE),
                families.values().stream().collect(Collectors.toMap(MetricFamily::getName, MetricFamily::getType)),
                "counters are sent as x_total, info as x_info, state sets as gauges, no _created anywhere");

        MetricFamily orders = families.get("orders_total");
        assertEquals("Orders.", orders.getHelp());
        assertEquals(List.of(label("status", "paid")), orders.getMetric(0).getLabelList());
        assertEquals(3, orders.getMetric(0).getCounter().getValue());

        Histogram latency = families.get("latency_seconds").getMetric(0).getHistogram();
        assertEquals(List.of(bucket(0.1, 1), bucket(1, 2), bucket(Double.POSITIVE_INFINITY, 3)), latency.getBucketList());
        assertEquals(3, latency.getSampleCount());
        assertEquals(5.55, latency.getSampleSum(), 1e-12);
        assertEquals(0, families.get("latency_seconds").getMetric(0).getLabelCount(), "le is not a series label");

        Metric size = families.get("size_bytes").getMetric(0);
        assertEquals(1, size.getSummary().getSampleCount());
        assertEquals(100, size.getSummary().getSampleSum());
        assertEquals(0.5, size.getSummary().getQuantile(0).getQuantile());
        assertEquals(0, size.getLabelCount(), "quantile is not a series label");

        assertEquals(List.of(label("version", "1.2")), families.get("build_info").getMetric(0).getLabelList());
        assertEquals(1, families.get("build_info").getMetric(0).getGauge().getValue());
        assertEquals(Map.of("a", 1.0, "b", 0.0), families.get("feature").getMetricList().stream().collect(
                Collectors.toMap(m -> m.getLabel(0).getValue(), m -> m.getGauge().getValue())));
    }

    @Test
    void customCollectorsGaugeHistogramsUntypedAndLegacyCountersConvert() {
        CollectorRegistry registry = new CollectorRegistry();
        new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                List<String> le = List.of("le");
                return List.of(
                        new MetricFamilySamples("queue_wait", Type.GAUGE_HISTOGRAM, "Waiting.", List.of(
                                new MetricFamilySamples.Sample("queue_wait_bucket", le, List.of("1.0"), 4),
                                new MetricFamilySamples.Sample("queue_wait_bucket", le, List.of("+Inf"), 5),
                                new MetricFamilySamples.Sample("queue_wait_gcount", List.of(), List.of(), 5),
                                new MetricFamilySamples.Sample("queue_wait_gsum", List.of(), List.of(), 7.5))),
                        new MetricFamilySamples("mystery", Type.UNKNOWN, "", List.of(
                                new MetricFamilySamples.Sample("mystery", List.of("a", "b"), List.of("1", ""), 42))),
                        // samples lacking _total, as old custom collectors wrote them (simpleclient adds it)
                        new MetricFamilySamples("legacy", Type.COUNTER, "", List.of(
                                new MetricFamilySamples.Sample("legacy", List.of(), List.of(), 9))));
            }
        }.register(registry);

        Map<String, MetricFamily> families = byName(CollectorRegistrySource.convert(registry));

        MetricFamily queue = families.get("queue_wait");
        assertEquals(MetricType.GAUGE_HISTOGRAM, queue.getType());
        assertEquals(List.of(bucket(1, 4), bucket(Double.POSITIVE_INFINITY, 5)), queue.getMetric(0).getHistogram().getBucketList());
        assertEquals(5, queue.getMetric(0).getHistogram().getSampleCount());
        assertEquals(7.5, queue.getMetric(0).getHistogram().getSampleSum());

        MetricFamily mystery = families.get("mystery");
        assertEquals(MetricType.UNTYPED, mystery.getType());
        assertEquals(List.of(label("a", "1")), mystery.getMetric(0).getLabelList(), "an empty label value is no label");
        assertEquals(42, mystery.getMetric(0).getUntyped().getValue());

        assertEquals(MetricType.COUNTER, families.get("legacy_total").getType());
        assertEquals(9, families.get("legacy_total").getMetric(0).getCounter().getValue());
    }

    @Test
    void histogramsWithLabelsBecomeOneMetricPerLabelSet() {
        CollectorRegistry registry = new CollectorRegistry();
        io.prometheus.client.Histogram h = io.prometheus.client.Histogram.build().name("rt").help("RT.")
                .labelNames("route").buckets(1).register(registry);
        h.labels("/a").observe(0.5);
        h.labels("/b").observe(2);
        h.labels("/b").observe(3);

        MetricFamily rt = CollectorRegistrySource.convert(registry).get(0);

        Map<String, Histogram> byRoute = rt.getMetricList().stream()
                .collect(Collectors.toMap(m -> m.getLabel(0).getValue(), Metric::getHistogram));
        assertEquals(List.of(bucket(1, 1), bucket(Double.POSITIVE_INFINITY, 1)), byRoute.get("/a").getBucketList());
        assertEquals(List.of(bucket(1, 0), bucket(Double.POSITIVE_INFINITY, 2)), byRoute.get("/b").getBucketList());
        assertEquals(2, byRoute.get("/b").getSampleCount());
        assertFalse(rt.getMetricList().stream().anyMatch(m -> m.getLabelList().stream().anyMatch(l -> l.getName().equals("le"))));
        assertTrue(rt.getHelp().equals("RT."));
    }

    static Bucket bucket(double upperBound, long cumulativeCount) {
        return Bucket.newBuilder().setUpperBound(upperBound).setCumulativeCount(cumulativeCount).build();
    }
}
