package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.metrics.Untyped;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.aggregationgateway.client.CollectorRegistrySourceTest.bucket;
import static io.aggregationgateway.client.Fixtures.label;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TextFormatWriterTest {

    @Test
    void writesTextFormat004() {
        List<MetricFamily> families = List.of(
                MetricFamily.newBuilder().setName("orders_total").setHelp("Orders\\paid\nor not.").setType(MetricType.COUNTER)
                        .addMetric(Metric.newBuilder().addLabel(label("note", "a\"b\\c\nd"))
                                .setCounter(Counter.newBuilder().setValue(3))).build(),
                MetricFamily.newBuilder().setName("ratio").setType(MetricType.GAUGE)
                        .addMetric(Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(0.25))).build(),
                MetricFamily.newBuilder().setName("odd").setType(MetricType.UNTYPED)
                        .addMetric(Metric.newBuilder().setUntyped(Untyped.newBuilder().setValue(1e-9))).build(),
                MetricFamily.newBuilder().setName("empty").setType(MetricType.GAUGE).build(),
                MetricFamily.newBuilder().setName("wait").setType(MetricType.GAUGE_HISTOGRAM)
                        .addMetric(Metric.newBuilder().addLabel(label("q", "x")).setHistogram(Histogram.newBuilder()
                                .setSampleCount(5).setSampleSum(2.5).addBucket(bucket(0.5, 4)))).build());

        // simpleclient_common's spelling: an empty HELP line, a comma after the last label, 3.0 for 3
        assertEquals("""
                # HELP orders_total Orders\\\\paid\\nor not.
                # TYPE orders_total counter
                orders_total{note="a\\"b\\\\c\\nd",} 3.0
                # HELP ratio\s
                # TYPE ratio gauge
                ratio 0.25
                # HELP odd\s
                # TYPE odd untyped
                odd 1.0E-9
                # HELP wait\s
                # TYPE wait histogram
                wait_bucket{q="x",le="0.5",} 4.0
                wait_bucket{q="x",le="+Inf",} 5.0
                wait_sum{q="x",} 2.5
                wait_count{q="x",} 5.0
                """, TextFormatWriter.write(families));
    }

    @Test
    void formatsNumbersAsPrometheusParsesThem() {
        MetricFamily.Builder gauge = MetricFamily.newBuilder().setName("g").setType(MetricType.GAUGE);
        double[] values = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 42, -0.5, 1e20};
        for (int i = 0; i < values.length; i++) {
            gauge.addMetric(Metric.newBuilder().addLabel(label("i", Integer.toString(i)))
                    .setGauge(Gauge.newBuilder().setValue(values[i])));
        }
        List<String> written = TextFormatWriter.write(List.of(gauge.build())).lines()
                .filter(line -> !line.startsWith("#")).map(line -> line.substring(line.indexOf("} ") + 2)).toList();
        assertEquals(List.of("+Inf", "-Inf", "NaN", "42.0", "-0.5", "1.0E20"), written);
    }

    @Test
    void aCounterWithoutTotalGetsItAndANativeHistogramGoesAsCountAndSum() {
        List<MetricFamily> families = List.of(
                MetricFamily.newBuilder().setName("requests").setType(MetricType.COUNTER)
                        .addMetric(Metric.newBuilder().setCounter(Counter.newBuilder().setValue(2))).build(),
                MetricFamily.newBuilder().setName("latency").setType(MetricType.HISTOGRAM)
                        .addMetric(Metric.newBuilder().setHistogram(Histogram.newBuilder().setSchema(3)
                                .setZeroThreshold(1e-9).setZeroCount(1).setSampleCount(3).setSampleSum(1.5)
                                .addPositiveSpan(BucketSpan.newBuilder().setOffset(0).setLength(1)).addPositiveDelta(2)))
                        .build());
        assertEquals("""
                # HELP requests_total\s
                # TYPE requests_total counter
                requests_total 2.0
                # HELP latency\s
                # TYPE latency histogram
                latency_bucket{le="+Inf",} 3.0
                latency_sum 1.5
                latency_count 3.0
                """, TextFormatWriter.write(families));
    }
}
