package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.testsupport.Promtool;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Text 0.0.4 and OpenMetrics cannot carry native buckets: they show the classic buckets, or only count and sum. */
class NativeHistogramTextTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    private static Aggregator store(MetricType type) throws Exception {
        NativeBuckets positive = new NativeBuckets(new int[] {0, 1}, new double[] {2, 1});
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.of("job", "j"), List.of(new MetricFamily("rt_seconds", type, "Latency.", List.of(
                new NativeHistogram(Labels.of("path", "/classic"), 0, 0x1p-128, 0, 3, 2.5, positive, NativeBuckets.EMPTY, false,
                        new ClassicHistogram(Labels.of("path", "/classic"), new double[] {0.5, 1, INF}, new double[] {0, 2, 3}, 3.0, 2.5)),
                new NativeHistogram(Labels.of("path", "/native"), 0, 0x1p-128, 1, 4, 2.5, positive, NativeBuckets.EMPTY, false,
                        null))))));
        return aggregator;
    }

    @Test
    void textShowsClassicBucketsOrOnlySumAndCount() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TextFormatRenderer().render(store(MetricType.HISTOGRAM).families(), out);
        assertEquals("""
                # HELP rt_seconds Latency.
                # TYPE rt_seconds histogram
                rt_seconds_bucket{job="j",path="/classic",le="0.5"} 0
                rt_seconds_bucket{job="j",path="/classic",le="1.0"} 2
                rt_seconds_bucket{job="j",path="/classic",le="+Inf"} 3
                rt_seconds_sum{job="j",path="/classic"} 2.5
                rt_seconds_count{job="j",path="/classic"} 3
                rt_seconds_sum{job="j",path="/native"} 2.5
                rt_seconds_count{job="j",path="/native"} 4
                """, out.toString(StandardCharsets.UTF_8));
        Promtool.checkMetrics(out.toByteArray());
    }

    @Test
    void openMetricsShowsClassicBucketsOrOnlyCountAndSum() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new OpenMetricsRenderer().render(store(MetricType.GAUGE_HISTOGRAM).families(), out);
        assertEquals("""
                # HELP rt_seconds Latency.
                # TYPE rt_seconds gaugehistogram
                rt_seconds_bucket{job="j",path="/classic",le="0.5"} 0
                rt_seconds_bucket{job="j",path="/classic",le="1.0"} 2
                rt_seconds_bucket{job="j",path="/classic",le="+Inf"} 3
                rt_seconds_gcount{job="j",path="/classic"} 3
                rt_seconds_gsum{job="j",path="/classic"} 2.5
                rt_seconds_gcount{job="j",path="/native"} 4
                rt_seconds_gsum{job="j",path="/native"} 2.5
                # EOF
                """, out.toString(StandardCharsets.UTF_8));
    }
}
