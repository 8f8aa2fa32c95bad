package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.metrics.Untyped;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.aggregationgateway.client.CollectorRegistryConverterTest.bucket;
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

        assertEquals("""
                # HELP orders_total Orders\\\\paid\\nor not.
                # TYPE orders_total counter
                orders_total{note="a\\"b\\\\c\\nd"} 3
                # TYPE ratio gauge
                ratio 0.25
                # TYPE odd untyped
                odd 1.0E-9
                # TYPE wait histogram
                wait_bucket{q="x",le="0.5"} 4
                wait_bucket{q="x",le="+Inf"} 5
                wait_sum{q="x"} 2.5
                wait_count{q="x"} 5
                """, TextFormatWriter.write(families));
    }

    @Test
    void formatsNumbersAsPrometheusParsesThem() {
        assertEquals("+Inf", TextFormatWriter.format(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", TextFormatWriter.format(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", TextFormatWriter.format(Double.NaN));
        assertEquals("42", TextFormatWriter.format(42));
        assertEquals("-0.5", TextFormatWriter.format(-0.5));
        assertEquals("1.0E20", TextFormatWriter.format(1e20));
    }
}
