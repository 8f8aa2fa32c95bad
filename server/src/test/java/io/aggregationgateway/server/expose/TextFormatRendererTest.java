package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.testsupport.Promtool;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TextFormatRendererTest {
    private static String render(Aggregator aggregator) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TextFormatRenderer().render(aggregator.families(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void numbersAsPrometheusReadsThem() throws Exception {
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.EMPTY, List.of(new MetricFamily("g", MetricType.GAUGE, "", List.of(
                new ScalarSample(Labels.of("v", "a"), 3),
                new ScalarSample(Labels.of("v", "b"), -2.5),
                new ScalarSample(Labels.of("v", "c"), 1.5e-7),
                new ScalarSample(Labels.of("v", "d"), 1e20),
                new ScalarSample(Labels.of("v", "e"), 123456789012345.0))))));
        assertEquals("""
                # TYPE g gauge
                g{v="a"} 3
                g{v="b"} -2.5
                g{v="c"} 1.5E-7
                g{v="d"} 1.0E20
                g{v="e"} 123456789012345
                """, render(aggregator));
    }

    @Test
    void promtoolParsesEveryKindOfFamily() throws Exception {
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.of("job", "j"), List.of(
                new MetricFamily("http_requests_total", MetricType.COUNTER, "Requests with \\ and\nnewline.", List.of(
                        new ScalarSample(Labels.of("path", "/a \"quoted\"\nline"), 4),
                        new ScalarSample(Labels.of("path", "/ü"), 1))),
                new MetricFamily("queue_depth", MetricType.GAUGE, "Depth.", List.of(new ScalarSample(Labels.EMPTY, 7))),
                new MetricFamily("misc", MetricType.UNTYPED, "", List.of(new ScalarSample(Labels.EMPTY, 1))),
                new MetricFamily("request_duration_seconds", MetricType.HISTOGRAM, "Durations.", List.of(
                        new ClassicHistogram(Labels.of("path", "/a"), new double[] {0.05, 0.5, Double.POSITIVE_INFINITY},
                                new double[] {1, 2, 3}, 3.0, 1.2))))));
        Promtool.checkMetrics(render(aggregator).getBytes(StandardCharsets.UTF_8));
    }
}
