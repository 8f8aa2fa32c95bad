package io.aggregationgateway.server.http;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Push in one format, scrape in another, gzip both ways, and malformed bodies that change nothing. */
class FormatRoundTripTest {
    static final String PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    private static RunningGateway gateway;

    @BeforeAll
    static void start() {
        gateway = new RunningGateway("--self-metrics", "false");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @BeforeEach
    void empty() {
        gateway.aggregator.reset();
    }

    private static HttpResponse<byte[]> push(String path, String contentType, byte[] body, boolean gzip) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip ? gzip(body) : body));
        if (gzip) {
            request.header("Content-Encoding", "gzip");
        }
        return gateway.send(request);
    }

    private static HttpResponse<byte[]> scrape(String accept, boolean gzip) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri("/metrics"));
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        return gateway.send(request);
    }

    private static String scrapeText() throws Exception {
        return new String(scrape(null, false).body(), StandardCharsets.UTF_8);
    }

    static byte[] delimited(MetricFamily... families) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (MetricFamily family : families) {
            family.writeDelimitedTo(out);
        }
        return out.toByteArray();
    }

    static MetricFamily requestsCounter(double value) {
        return MetricFamily.newBuilder().setName("requests_total").setHelp("Requests.").setType(MetricType.COUNTER)
                .addMetric(Metric.newBuilder().addLabel(LabelPair.newBuilder().setName("code").setValue("200"))
                        .setCounter(Counter.newBuilder().setValue(value))).build();
    }

    static MetricFamily latencyHistogram() {
        // as client_golang writes it: no +Inf bucket, the count carries it
        return MetricFamily.newBuilder().setName("latency_seconds").setType(MetricType.HISTOGRAM)
                .addMetric(Metric.newBuilder().setHistogram(Histogram.newBuilder().setSampleCount(3).setSampleSum(1.5)
                        .addBucket(Bucket.newBuilder().setUpperBound(0.1).setCumulativeCount(1))
                        .addBucket(Bucket.newBuilder().setUpperBound(1).setCumulativeCount(2)))).build();
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void protobufPushScrapedAsText(boolean gzip) throws Exception {
        byte[] body = delimited(requestsCounter(2), latencyHistogram());
        assertEquals(200, push("/metrics/job/go", PROTOBUF, body, gzip).statusCode());
        assertEquals(200, push("/metrics/job/go", "application/vnd.google.protobuf;encoding=delimited;proto=io.prometheus.client.MetricFamily",
                delimited(requestsCounter(3)), false).statusCode());
        assertEquals("""
                # TYPE latency_seconds histogram
                latency_seconds_bucket{job="go",le="0.1"} 1
                latency_seconds_bucket{job="go",le="1.0"} 2
                latency_seconds_bucket{job="go",le="+Inf"} 3
                latency_seconds_sum{job="go"} 1.5
                latency_seconds_count{job="go"} 3
                # HELP requests_total Requests.
                # TYPE requests_total counter
                requests_total{code="200",job="go"} 5
                """, scrapeText());
    }

    @Test
    void textPushScrapedAsProtobufAndOpenMetrics() throws Exception {
        String text = """
                # HELP requests_total Requests.
                # TYPE requests_total counter
                requests_total{code="200"} 7
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.5"} 1
                latency_seconds_bucket{le="+Inf"} 2
                latency_seconds_sum 0.75
                latency_seconds_count 2
                """;
        assertEquals(200, push("/metrics/job/t", "text/plain; version=0.0.4", text.getBytes(StandardCharsets.UTF_8), false).statusCode());

        HttpResponse<byte[]> proto = scrape(
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
                false);
        assertTrue(proto.headers().firstValue("Content-Type").orElseThrow().startsWith("application/vnd.google.protobuf"));
        List<MetricFamily> families = parseDelimited(proto.body());
        assertEquals(List.of("latency_seconds", "requests_total"), families.stream().map(MetricFamily::getName).toList());
        assertEquals(7, families.get(1).getMetric(0).getCounter().getValue());
        assertEquals(2, families.get(0).getMetric(0).getHistogram().getSampleCount());

        HttpResponse<byte[]> om = scrape("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", false);
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores",
                om.headers().firstValue("Content-Type").orElseThrow());
        String omText = new String(om.body(), StandardCharsets.UTF_8);
        assertTrue(omText.contains("# TYPE requests counter\n"), omText);
        assertTrue(omText.contains("requests_total{code=\"200\",job=\"t\"} 7\n"), omText);
        assertTrue(omText.endsWith("# EOF\n"), omText);
    }

    @Test
    void openMetricsPushIsAccepted() throws Exception {
        String om = """
                # TYPE jobs counter
                # HELP jobs Jobs done.
                jobs_total{kind="a"} 3 # {trace_id="abc"} 1.0
                jobs_created{kind="a"} 1.7e9
                # EOF
                """;
        assertEquals(200, push("/metrics/", "application/openmetrics-text; version=1.0.0; charset=utf-8",
                om.getBytes(StandardCharsets.UTF_8), true).statusCode());
        assertEquals("# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total{kind=\"a\"} 3\n", scrapeText());
    }

    @Test
    void deflatePushIsAccepted() throws Exception {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream out = new java.util.zip.DeflaterOutputStream(compressed)) {
            out.write("up 2\n".getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<byte[]> response = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/"))
                .header("Content-Encoding", "deflate").POST(HttpRequest.BodyPublishers.ofByteArray(compressed.toByteArray())));
        assertEquals(200, response.statusCode());
        assertEquals("# TYPE up untyped\nup 2\n", scrapeText());
    }

    @Test
    void gzippedScrape() throws Exception {
        push("/metrics/", "text/plain", "up 1\n".getBytes(StandardCharsets.UTF_8), false);
        HttpResponse<byte[]> response = scrape(null, true);
        assertEquals("gzip", response.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals("# TYPE up untyped\nup 1\n", new String(gunzip(response.body()), StandardCharsets.UTF_8));
    }

    @Test
    void malformedProtobufAndGzipAre400AndChangeNothing() throws Exception {
        push("/metrics/job/a", PROTOBUF, delimited(requestsCounter(1)), false);
        String before = scrapeText();

        byte[] valid = delimited(requestsCounter(1), requestsCounter(2));
        byte[] truncated = Arrays.copyOf(valid, valid.length - 3);
        HttpResponse<byte[]> cut = push("/metrics/job/a", PROTOBUF, truncated, false);
        assertEquals(400, cut.statusCode());
        String message = new String(cut.body(), StandardCharsets.UTF_8);
        assertTrue(message.startsWith("message #2 at byte " + delimited(requestsCounter(1)).length + ": "), message);

        HttpResponse<byte[]> garbage = push("/metrics/job/a", PROTOBUF, new byte[] {5, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, false);
        assertEquals(400, garbage.statusCode());

        HttpRequest.Builder corruptGzip = HttpRequest.newBuilder(gateway.uri("/metrics/job/a"))
                .header("Content-Type", "text/plain").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray("up 1\n".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<byte[]> corrupt = gateway.send(corruptGzip);
        assertEquals(400, corrupt.statusCode());
        assertTrue(new String(corrupt.body(), StandardCharsets.UTF_8).contains("corrupt gzip body"));

        byte[] gz = gzip("requests_total{code=\"200\"} 5\n".getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder truncatedGzip = HttpRequest.newBuilder(gateway.uri("/metrics/job/a"))
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOf(gz, gz.length - 6)));
        assertEquals(400, gateway.send(truncatedGzip).statusCode());

        HttpRequest.Builder brotli = HttpRequest.newBuilder(gateway.uri("/metrics/job/a"))
                .header("Content-Encoding", "br")
                .POST(HttpRequest.BodyPublishers.ofByteArray("up 1\n".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<byte[]> unsupported = gateway.send(brotli);
        assertEquals(400, unsupported.statusCode());
        assertTrue(new String(unsupported.body(), StandardCharsets.UTF_8).contains("unsupported Content-Encoding \"br\""));

        HttpResponse<byte[]> wrongProto = push("/metrics/job/a", "application/vnd.google.protobuf; proto=other.Message; encoding=delimited",
                valid, false);
        assertEquals(400, wrongProto.statusCode());
        assertTrue(new String(wrongProto.body(), StandardCharsets.UTF_8).contains("unsupported Content-Type"));

        assertEquals(before, scrapeText());
    }

    static List<MetricFamily> parseDelimited(byte[] body) throws IOException {
        List<MetricFamily> out = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(body);
        MetricFamily family;
        while ((family = MetricFamily.parseDelimitedFrom(in)) != null) {
            out.add(family);
        }
        return out;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] data) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }
}
