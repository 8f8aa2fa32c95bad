package io.aggregationgateway.server.expose;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.EngineSettings;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.Push;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * One store holding UTF-8 and legacy names, scraped in every format and escaping, against the
 * exposition formats and the escaping specification: text 0.0.4 and OpenMetrics 0.0.1 escape with
 * underscores; text 1.0.0 and OpenMetrics 1.0.0 write names quoted ({@code allow-utf-8}) or escaped
 * as asked; OpenMetrics carries each counter's and histogram's start as {@code _created}, protobuf as
 * {@code created_timestamp}, with names as they are.
 */
class Utf8ExpositionGoldenTest {
    /** 1700000000.25 s: the start of every series below. */
    private static final long START_MILLIS = 1_700_000_000_250L;
    private static final String PROMETHEUS_3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
            + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
            + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

    private static List<FamilyView> families;

    @BeforeAll
    static void fill() throws Exception {
        Aggregator aggregator = new Aggregator(EngineSettings.unlimited(""), () -> START_MILLIS);
        byte[] body = """
                # HELP "my.requests_total" Requests, "quoted".
                # TYPE "my.requests_total" counter
                {"my.requests_total","http.method"="GET"} 3
                # TYPE plain_total counter
                plain_total{code="200"} 1
                # TYPE "my.latency" histogram
                {"my.latency_bucket",le="0.5"} 1
                {"my.latency_bucket",le="+Inf"} 2
                {"my.latency_sum"} 0.75
                {"my.latency_count"} 2
                # TYPE "room.temp" gauge
                {"room.temp"} 19.5
                """.getBytes(StandardCharsets.UTF_8);
        aggregator.push(new Push(Labels.of("job", "j"),
                new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4).parse(body, 0, body.length)));
        families = aggregator.families();
    }

    private static String scrape(String accept) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScrapeFormat.negotiate(accept).render(families, out, RenderWorkers.NONE);
        return out.toString(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> textScrapes() {
        return Stream.of(
                arguments("text 0.0.4", "text/plain;version=0.0.4", """
                        # TYPE my_latency histogram
                        my_latency_bucket{job="j",le="0.5"} 1
                        my_latency_bucket{job="j",le="+Inf"} 2
                        my_latency_sum{job="j"} 0.75
                        my_latency_count{job="j"} 2
                        # HELP my_requests_total Requests, "quoted".
                        # TYPE my_requests_total counter
                        my_requests_total{http_method="GET",job="j"} 3
                        # TYPE plain_total counter
                        plain_total{code="200",job="j"} 1
                        # TYPE room_temp gauge
                        room_temp{job="j"} 19.5
                        """),
                arguments("text 1.0.0, allow-utf-8", "text/plain;version=1.0.0;escaping=allow-utf-8", """
                        # TYPE "my.latency" histogram
                        {"my.latency_bucket",job="j",le="0.5"} 1
                        {"my.latency_bucket",job="j",le="+Inf"} 2
                        {"my.latency_sum",job="j"} 0.75
                        {"my.latency_count",job="j"} 2
                        # HELP "my.requests_total" Requests, "quoted".
                        # TYPE "my.requests_total" counter
                        {"my.requests_total","http.method"="GET",job="j"} 3
                        # TYPE plain_total counter
                        plain_total{code="200",job="j"} 1
                        # TYPE "room.temp" gauge
                        {"room.temp",job="j"} 19.5
                        """),
                arguments("text 1.0.0, dots", "text/plain;version=1.0.0;escaping=dots", """
                        # TYPE my_dot_latency histogram
                        my_dot_latency_bucket{job="j",le="0.5"} 1
                        my_dot_latency_bucket{job="j",le="+Inf"} 2
                        my_dot_latency_sum{job="j"} 0.75
                        my_dot_latency_count{job="j"} 2
                        # HELP my_dot_requests__total Requests, "quoted".
                        # TYPE my_dot_requests__total counter
                        my_dot_requests__total{http_dot_method="GET",job="j"} 3
                        # TYPE plain_total counter
                        plain_total{code="200",job="j"} 1
                        # TYPE room_dot_temp gauge
                        room_dot_temp{job="j"} 19.5
                        """),
                arguments("text 1.0.0, values", "text/plain;version=1.0.0;escaping=values", """
                        # TYPE U__my_2e_latency histogram
                        U__my_2e_latency_bucket{job="j",le="0.5"} 1
                        U__my_2e_latency_bucket{job="j",le="+Inf"} 2
                        U__my_2e_latency_sum{job="j"} 0.75
                        U__my_2e_latency_count{job="j"} 2
                        # HELP U__my_2e_requests__total Requests, "quoted".
                        # TYPE U__my_2e_requests__total counter
                        U__my_2e_requests__total{U__http_2e_method="GET",job="j"} 3
                        # TYPE plain_total counter
                        plain_total{code="200",job="j"} 1
                        # TYPE U__room_2e_temp gauge
                        U__room_2e_temp{job="j"} 19.5
                        """),
                arguments("OpenMetrics 1.0.0, allow-utf-8 (what Prometheus 3 asks for first)", PROMETHEUS_3, """
                        # TYPE "my.latency" histogram
                        {"my.latency_bucket",job="j",le="0.5"} 1
                        {"my.latency_bucket",job="j",le="+Inf"} 2
                        {"my.latency_count",job="j"} 2
                        {"my.latency_sum",job="j"} 0.75
                        {"my.latency_created",job="j"} 1700000000.25
                        # HELP "my.requests" Requests, \\"quoted\\".
                        # TYPE "my.requests" counter
                        {"my.requests_total","http.method"="GET",job="j"} 3
                        {"my.requests_created","http.method"="GET",job="j"} 1700000000.25
                        # TYPE plain counter
                        plain_total{code="200",job="j"} 1
                        plain_created{code="200",job="j"} 1700000000.25
                        # TYPE "room.temp" gauge
                        {"room.temp",job="j"} 19.5
                        # EOF
                        """),
                arguments("OpenMetrics 1.0.0 without escaping (Prometheus 2): underscores",
                        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75", """
                        # TYPE my_latency histogram
                        my_latency_bucket{job="j",le="0.5"} 1
                        my_latency_bucket{job="j",le="+Inf"} 2
                        my_latency_count{job="j"} 2
                        my_latency_sum{job="j"} 0.75
                        my_latency_created{job="j"} 1700000000.25
                        # HELP my_requests Requests, \\"quoted\\".
                        # TYPE my_requests counter
                        my_requests_total{http_method="GET",job="j"} 3
                        my_requests_created{http_method="GET",job="j"} 1700000000.25
                        # TYPE plain counter
                        plain_total{code="200",job="j"} 1
                        plain_created{code="200",job="j"} 1700000000.25
                        # TYPE room_temp gauge
                        room_temp{job="j"} 19.5
                        # EOF
                        """),
                arguments("OpenMetrics 1.0.0, dots: the counter named from its escaped name, as Prometheus's libraries do",
                        "application/openmetrics-text;version=1.0.0;escaping=dots", """
                        # TYPE my_dot_latency histogram
                        my_dot_latency_bucket{job="j",le="0.5"} 1
                        my_dot_latency_bucket{job="j",le="+Inf"} 2
                        my_dot_latency_count{job="j"} 2
                        my_dot_latency_sum{job="j"} 0.75
                        my_dot_latency_created{job="j"} 1700000000.25
                        # HELP my_dot_requests_ Requests, \\"quoted\\".
                        # TYPE my_dot_requests_ counter
                        my_dot_requests__total{http_dot_method="GET",job="j"} 3
                        my_dot_requests__created{http_dot_method="GET",job="j"} 1700000000.25
                        # TYPE plain counter
                        plain_total{code="200",job="j"} 1
                        plain_created{code="200",job="j"} 1700000000.25
                        # TYPE room_dot_temp gauge
                        room_dot_temp{job="j"} 19.5
                        # EOF
                        """),
                arguments("OpenMetrics 1.0.0, values", "application/openmetrics-text;version=1.0.0;escaping=values", """
                        # TYPE U__my_2e_latency histogram
                        U__my_2e_latency_bucket{job="j",le="0.5"} 1
                        U__my_2e_latency_bucket{job="j",le="+Inf"} 2
                        U__my_2e_latency_count{job="j"} 2
                        U__my_2e_latency_sum{job="j"} 0.75
                        U__my_2e_latency_created{job="j"} 1700000000.25
                        # HELP U__my_2e_requests_ Requests, \\"quoted\\".
                        # TYPE U__my_2e_requests_ counter
                        U__my_2e_requests__total{U__http_2e_method="GET",job="j"} 3
                        U__my_2e_requests__created{U__http_2e_method="GET",job="j"} 1700000000.25
                        # TYPE plain counter
                        plain_total{code="200",job="j"} 1
                        plain_created{code="200",job="j"} 1700000000.25
                        # TYPE U__room_2e_temp gauge
                        U__room_2e_temp{job="j"} 19.5
                        # EOF
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("textScrapes")
    void rendersTextFormats(String description, String accept, String expected) throws Exception {
        assertEquals(expected, scrape(accept));
    }

    @Test
    void openMetrics001IsTheSameTextWithItsOwnVersion() throws Exception {
        assertEquals(scrape("application/openmetrics-text;version=1.0.0"), scrape("application/openmetrics-text;version=0.0.1"));
    }

    /** A protobuf scrape, parsed; checked to be byte for byte what protobuf-java writes for what it holds. */
    private static List<io.aggregationgateway.proto.metrics.MetricFamily> protobufScrape(String accept) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScrapeFormat.negotiate(accept).render(families, out, RenderWorkers.NONE);
        List<io.aggregationgateway.proto.metrics.MetricFamily> parsed = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        io.aggregationgateway.proto.metrics.MetricFamily family;
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        while ((family = io.aggregationgateway.proto.metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            parsed.add(family);
            family.writeDelimitedTo(again);
        }
        assertArrayEquals(again.toByteArray(), out.toByteArray(), "byte for byte what protobuf-java writes");
        return parsed;
    }

    @Test
    void protobufForPrometheus2EscapesWithUnderscores() throws Exception {
        List<io.aggregationgateway.proto.metrics.MetricFamily> parsed = protobufScrape(
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.8,"
                        + "application/openmetrics-text;version=1.0.0;q=0.7,*/*;q=0.1");
        assertEquals(List.of("my_latency", "my_requests_total", "plain_total", "room_temp"),
                parsed.stream().map(io.aggregationgateway.proto.metrics.MetricFamily::getName).toList());
        assertEquals("http_method", parsed.get(1).getMetric(0).getLabel(0).getName());
    }

    @Test
    void protobufForPrometheus3CarriesNamesAsTheyAreAndEachStart() throws Exception {
        List<io.aggregationgateway.proto.metrics.MetricFamily> parsed = protobufScrape(
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,"
                        + PROMETHEUS_3.replace("q=0.6", "q=0.55"));

        com.google.protobuf.Timestamp start = com.google.protobuf.Timestamp.newBuilder()
                .setSeconds(1_700_000_000).setNanos(250_000_000).build();
        LabelPair job = LabelPair.newBuilder().setName("job").setValue("j").build();
        assertEquals(List.of(
                io.aggregationgateway.proto.metrics.MetricFamily.newBuilder().setName("my.latency")
                        .setType(io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM)
                        .addMetric(Metric.newBuilder().addLabel(job).setHistogram(Histogram.newBuilder()
                                .setSampleCount(2).setSampleSum(0.75)
                                .addBucket(Bucket.newBuilder().setCumulativeCount(1).setUpperBound(0.5))
                                .setCreatedTimestamp(start))).build(),
                io.aggregationgateway.proto.metrics.MetricFamily.newBuilder().setName("my.requests_total")
                        .setHelp("Requests, \"quoted\".").setType(io.aggregationgateway.proto.metrics.MetricType.COUNTER)
                        .addMetric(Metric.newBuilder()
                                .addLabel(LabelPair.newBuilder().setName("http.method").setValue("GET")).addLabel(job)
                                .setCounter(Counter.newBuilder().setValue(3).setCreatedTimestamp(start))).build(),
                io.aggregationgateway.proto.metrics.MetricFamily.newBuilder().setName("plain_total")
                        .setType(io.aggregationgateway.proto.metrics.MetricType.COUNTER)
                        .addMetric(Metric.newBuilder()
                                .addLabel(LabelPair.newBuilder().setName("code").setValue("200")).addLabel(job)
                                .setCounter(Counter.newBuilder().setValue(1).setCreatedTimestamp(start))).build(),
                io.aggregationgateway.proto.metrics.MetricFamily.newBuilder().setName("room.temp")
                        .setType(io.aggregationgateway.proto.metrics.MetricType.GAUGE)
                        .addMetric(Metric.newBuilder().addLabel(job).setGauge(Gauge.newBuilder().setValue(19.5))).build()),
                parsed);
    }

    @Test
    void seriesAlikeOnlyOnceEscapedAreLeftOutOfEscapedScrapesAndReported() throws Exception {
        Aggregator aggregator = new Aggregator(EngineSettings.unlimited(""), () -> START_MILLIS);
        byte[] body = "# TYPE m gauge\nm{\"a.b\"=\"1\"} 1\nm{a_b=\"1\"} 2\nm{a_b=\"2\"} 3\n".getBytes(StandardCharsets.UTF_8);
        aggregator.push(new Push(Labels.EMPTY,
                new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4).parse(body, 0, body.length)));

        ByteArrayOutputStream utf8 = new ByteArrayOutputStream();
        assertEquals(List.of(), ScrapeFormat.negotiate("text/plain;version=1.0.0;escaping=allow-utf-8")
                .render(aggregator.families(), utf8, RenderWorkers.NONE));
        assertEquals("# TYPE m gauge\nm{\"a.b\"=\"1\"} 1\nm{a_b=\"1\"} 2\nm{a_b=\"2\"} 3\n", utf8.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream escaped = new ByteArrayOutputStream();
        List<String> leftOut = ScrapeFormat.negotiate("text/plain;version=0.0.4").render(aggregator.families(), escaped,
                RenderWorkers.NONE);
        assertEquals("# TYPE m gauge\nm{a_b=\"1\"} 1\nm{a_b=\"2\"} 3\n", escaped.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("family m: series {a_b=\"1\"} left out, since with escaping=underscores its labels are those of"
                + " {a.b=\"1\"}"), leftOut);

        ByteArrayOutputStream protobuf = new ByteArrayOutputStream();
        assertEquals(leftOut, ScrapeFormat.negotiate("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                + "encoding=delimited").render(aggregator.families(), protobuf, RenderWorkers.NONE));
        io.aggregationgateway.proto.metrics.MetricFamily m = io.aggregationgateway.proto.metrics.MetricFamily
                .parseDelimitedFrom(new ByteArrayInputStream(protobuf.toByteArray()));
        assertEquals(List.of("a_b=1 1.0", "a_b=2 3.0"), m.getMetricList().stream()
                .map(metric -> metric.getLabel(0).getName() + "=" + metric.getLabel(0).getValue() + " " + metric.getGauge().getValue())
                .toList());
    }
}
