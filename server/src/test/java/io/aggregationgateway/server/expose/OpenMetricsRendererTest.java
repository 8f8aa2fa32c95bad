package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OpenMetricsRendererTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    private static String render(Aggregator aggregator) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new OpenMetricsRenderer().render(aggregator.families(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Aggregator store(Labels grouping, MetricFamily... families) throws Exception {
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(grouping, List.of(families)));
        return aggregator;
    }

    @Test
    void emptyStoreIsJustEof() throws Exception {
        assertEquals("# EOF\n", render(new Aggregator()));
    }

    @Test
    void counterFamilyDropsTotalFromItsNameButNotFromItsSamples() throws Exception {
        Aggregator aggregator = store(Labels.of("job", "j"),
                new MetricFamily("http_requests_total", MetricType.COUNTER, "Requests.", List.of(
                        new ScalarSample(Labels.of("path", "/b"), 1.5),
                        new ScalarSample(Labels.of("path", "/a"), 4))));
        aggregator.push(new Push(Labels.of("job", "j"), List.of(new MetricFamily("http_requests_total",
                MetricType.COUNTER, "", List.of(new ScalarSample(Labels.of("path", "/a"), 2))))));
        assertEquals("""
                # HELP http_requests Requests.
                # TYPE http_requests counter
                http_requests_total{job="j",path="/a"} 6
                http_requests_total{job="j",path="/b"} 1.5
                # EOF
                """, render(aggregator));
    }

    @Test
    void counterWithoutTotalIsACounterWhoseSamplesGainTotal() throws Exception {
        Aggregator aggregator = store(Labels.EMPTY,
                new MetricFamily("legacy_requests", MetricType.COUNTER, "Old style.",
                        List.of(new ScalarSample(Labels.EMPTY, 7))),
                new MetricFamily("_total", MetricType.COUNTER, "",
                        List.of(new ScalarSample(Labels.EMPTY, 1))));
        assertEquals("""
                # TYPE _total unknown
                _total 1
                # HELP legacy_requests Old style.
                # TYPE legacy_requests counter
                legacy_requests_total 7
                # EOF
                """, render(aggregator));
    }

    @Test
    void counterWithoutTotalWhoseLongNameIsTakenStaysUnknown() throws Exception {
        // the engine refuses such a pair (its names collide); the renderer still copes with one
        List<FamilyView> families = List.of(
                FamilyView.ofSamples("jobs", MetricType.COUNTER, "", List.of(new ScalarSample(Labels.EMPTY, 3))),
                FamilyView.ofSamples("jobs_total", MetricType.GAUGE, "", List.of(new ScalarSample(Labels.EMPTY, 9))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new OpenMetricsRenderer().render(families, out);
        assertEquals("""
                # TYPE jobs unknown
                jobs 3
                # TYPE jobs_total gauge
                jobs_total 9
                # EOF
                """, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void counterWhoseShortNameIsTakenStaysUnknown() throws Exception {
        // the engine refuses such a pair (its names collide); the renderer still copes with one
        List<FamilyView> families = List.of(
                FamilyView.ofSamples("jobs", MetricType.GAUGE, "", List.of(new ScalarSample(Labels.EMPTY, 3))),
                FamilyView.ofSamples("jobs_total", MetricType.COUNTER, "", List.of(new ScalarSample(Labels.EMPTY, 9))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new OpenMetricsRenderer().render(families, out);
        assertEquals("""
                # TYPE jobs gauge
                jobs 3
                # TYPE jobs_total unknown
                jobs_total 9
                # EOF
                """, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void gaugeAndUntypedNumbersAsGoWritesThem() throws Exception {
        Aggregator aggregator = store(Labels.EMPTY,
                new MetricFamily("g", MetricType.GAUGE, "A gauge.", List.of(
                        new ScalarSample(Labels.of("v", "a"), 3),
                        new ScalarSample(Labels.of("v", "b"), -2.5),
                        new ScalarSample(Labels.of("v", "c"), 1.5e-7),
                        new ScalarSample(Labels.of("v", "d"), 1e20),
                        new ScalarSample(Labels.of("v", "e"), 123456789012345.0),
                        new ScalarSample(Labels.of("v", "f"), 1234567.5),
                        new ScalarSample(Labels.of("v", "g"), 0.0001),
                        new ScalarSample(Labels.of("v", "h"), 0))),
                new MetricFamily("misc", MetricType.UNTYPED, "", List.of(new ScalarSample(Labels.EMPTY, 0.1))));
        assertEquals("""
                # HELP g A gauge.
                # TYPE g gauge
                g{v="a"} 3
                g{v="b"} -2.5
                g{v="c"} 1.5e-07
                g{v="d"} 1e+20
                g{v="e"} 123456789012345
                g{v="f"} 1.2345675e+06
                g{v="g"} 0.0001
                g{v="h"} 0
                # TYPE misc unknown
                misc 0.1
                # EOF
                """, render(aggregator));
    }

    @Test
    void histogramWithCanonicalLeAndNonIntegralCounts() throws Exception {
        double[] bounds = {0.05, 0.5, 1, 100, 1e6, INF};
        Aggregator aggregator = store(Labels.of("job", "j"),
                new MetricFamily("request_duration_seconds", MetricType.HISTOGRAM, "Durations.", List.of(
                        new ClassicHistogram(Labels.of("path", "/a"), bounds,
                                new double[] {1, 2, 2.5, 3, 3, 3.5}, 3.5, 1.25),
                        new ClassicHistogram(Labels.of("path", "/b"), bounds,
                                new double[] {0, 0, 0, 0, 1, 1}, 1.0, 500000.0))));
        assertEquals("""
                # HELP request_duration_seconds Durations.
                # TYPE request_duration_seconds histogram
                request_duration_seconds_bucket{job="j",path="/a",le="0.05"} 1
                request_duration_seconds_bucket{job="j",path="/a",le="0.5"} 2
                request_duration_seconds_bucket{job="j",path="/a",le="1.0"} 2.5
                request_duration_seconds_bucket{job="j",path="/a",le="100.0"} 3
                request_duration_seconds_bucket{job="j",path="/a",le="1e+06"} 3
                request_duration_seconds_bucket{job="j",path="/a",le="+Inf"} 3.5
                request_duration_seconds_count{job="j",path="/a"} 3.5
                request_duration_seconds_sum{job="j",path="/a"} 1.25
                request_duration_seconds_bucket{job="j",path="/b",le="0.05"} 0
                request_duration_seconds_bucket{job="j",path="/b",le="0.5"} 0
                request_duration_seconds_bucket{job="j",path="/b",le="1.0"} 0
                request_duration_seconds_bucket{job="j",path="/b",le="100.0"} 0
                request_duration_seconds_bucket{job="j",path="/b",le="1e+06"} 1
                request_duration_seconds_bucket{job="j",path="/b",le="+Inf"} 1
                request_duration_seconds_count{job="j",path="/b"} 1
                request_duration_seconds_sum{job="j",path="/b"} 500000
                # EOF
                """, render(aggregator));
    }

    @Test
    void gaugeHistogramUsesGcountAndGsum() throws Exception {
        Aggregator aggregator = store(Labels.EMPTY,
                new MetricFamily("queue_wait_seconds", MetricType.GAUGE_HISTOGRAM, "Waiting now.", List.of(
                        new ClassicHistogram(Labels.EMPTY, new double[] {-1, 0, 0.1, INF},
                                new double[] {0, 1, 1, 2}, 2.0, 0.3))));
        assertEquals("""
                # HELP queue_wait_seconds Waiting now.
                # TYPE queue_wait_seconds gaugehistogram
                queue_wait_seconds_bucket{le="-1.0"} 0
                queue_wait_seconds_bucket{le="0.0"} 1
                queue_wait_seconds_bucket{le="0.1"} 1
                queue_wait_seconds_bucket{le="+Inf"} 2
                queue_wait_seconds_gcount 2
                queue_wait_seconds_gsum 0.3
                # EOF
                """, render(aggregator));
    }

    @Test
    void helpAndLabelValuesAreEscaped() throws Exception {
        Aggregator aggregator = store(Labels.EMPTY,
                new MetricFamily("x_total", MetricType.COUNTER, "Has \\ backslash, \"quotes\" and\nnewline; ü.", List.of(
                        new ScalarSample(Labels.of("path", "/a \"q\" \\ b\nc", "u", "ü"), 1))));
        assertEquals("""
                # HELP x Has \\\\ backslash, \\"quotes\\" and\\nnewline; ü.
                # TYPE x counter
                x_total{path="/a \\"q\\" \\\\ b\\nc",u="ü"} 1
                # EOF
                """, render(aggregator));
    }
}
