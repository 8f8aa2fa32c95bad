package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.expose.ProtobufRenderer;
import io.aggregationgateway.server.expose.TextFormatRenderer;
import io.aggregationgateway.server.support.RunningGateway;
import io.aggregationgateway.testsupport.Closer;
import io.aggregationgateway.testsupport.RealPrometheus;
import io.aggregationgateway.testsupport.Sample;
import io.aggregationgateway.testsupport.ScrapeRecordingProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus (Debian's {@code prometheus} 2.42) scrapes the sums three senders pushed (HTTP text,
 * HTTP protobuf-delimited, gRPC), and the test reads them back through Prometheus's query API.
 *
 * <p>A recording proxy in front of the gateway shows which format each scrape negotiated. Prometheus
 * 2.42 with default flags asks for OpenMetrics 1.0.0 first (text 0.0.4 only at {@code q=0.5}), so its
 * plain run exercises the OpenMetrics renderer; a second target of the same Prometheus goes through a
 * proxy that asks for text 0.0.4 only, as older Prometheus versions do, so Prometheus's text 0.0.4 parser
 * reads the gateway too. With {@code --enable-feature=native-histograms} Prometheus asks for protobuf first.
 * A counter with UTF-8 names reaches it escaped with underscores in every format, since Prometheus 2.42
 * sends no {@code escaping} parameter (and refuses a whole protobuf scrape holding a UTF-8 name), and the
 * OpenMetrics {@code _created} samples do not disturb it.
 *
 * <p>Both Prometheus processes start up front and run side by side: each needs about 5 s before its
 * first scrape (its scrape manager applies new targets on a 5 s tick), and paying that once keeps the
 * class near 7 s.
 */
class PrometheusScrapeE2ETest {
    /** Bounds every wait for a scraped value; the first scrape comes 5-6 s after start. */
    private static final Duration SCRAPED_WITHIN = Duration.ofSeconds(20);
    /** What Prometheus before 2.5, or one told not to use OpenMetrics, asks for. */
    private static final String TEXT_004_ONLY = "text/plain;version=0.0.4";

    private static final String JOB = "e2e";
    /** A label value every renderer must escape (quote, backslash, newline) or carry as UTF-8. */
    private static final String PATH = "/checkout \"quoted\" \\ back\nslash, ünïcode 日本";

    // Three senders push shares of the same series; the gateway must add them up.
    private static final double REQUESTS = 3 + 4 + 5;
    private static final double IN_FLIGHT = 1.5 + 2.5 - 1;
    private static final double LATENCY_COUNT = 4 + 5 + 1;
    private static final double LATENCY_SUM = 2.5 + 7 + 5;
    /**
     * The union of the bounds pushed (text: 0.1 1; protobuf: 0.5 1; gRPC: 0.1 10), each adding every
     * push's cumulative count at that push's own largest bound at or below it.
     */
    private static final Map<Double, Double> LATENCY_BUCKETS = new TreeMap<>(Map.of(
            0.1, 1.0 + 0 + 0,
            0.5, 1.0 + 2 + 0,
            1.0, 3.0 + 2 + 0,
            10.0, 3.0 + 2 + 1,
            Double.POSITIVE_INFINITY, LATENCY_COUNT));

    @TempDir
    static Path plainPrometheusDir;
    @TempDir
    static Path nativeHistogramsPrometheusDir;

    private static RunningGateway gateway;
    private static ScrapeRecordingProxy openMetricsProxy;
    private static ScrapeRecordingProxy text004Proxy;
    private static ScrapeRecordingProxy protobufProxy;
    private static RealPrometheus plainPrometheus;
    private static RealPrometheus nativeHistogramsPrometheus;

    @BeforeAll
    static void pushThenStartPrometheus() throws Exception {
        gateway = new RunningGateway(); // own metrics on: Prometheus must read them in every format too
        pushShareOverHttpText();
        pushShareOverHttpProtobuf();
        pushShareOverGrpc();

        openMetricsProxy = new ScrapeRecordingProxy(gateway.uri("/metrics"), null);
        text004Proxy = new ScrapeRecordingProxy(gateway.uri("/metrics"), TEXT_004_ONLY);
        protobufProxy = new ScrapeRecordingProxy(gateway.uri("/metrics"), null);
        plainPrometheus = RealPrometheus.start(plainPrometheusDir, List.of(openMetricsProxy.target(), text004Proxy.target()));
        nativeHistogramsPrometheus = RealPrometheus.start(nativeHistogramsPrometheusDir, List.of(protobufProxy.target()),
                "native-histograms");
    }

    @AfterAll
    static void stopAll() throws Exception {
        // JUnit runs this even when pushThenStartPrometheus failed half way: close what exists, Prometheus first
        Closer.closeAll(nativeHistogramsPrometheus, plainPrometheus, protobufProxy, text004Proxy, openMetricsProxy, gateway);
    }

    private static void pushShareOverHttpText() throws Exception {
        HttpResponse<byte[]> response = gateway.pushText("/metrics/job/" + JOB, """
                # HELP e2e_requests_total Requests served.
                # TYPE e2e_requests_total counter
                e2e_requests_total{path="%s"} 3
                # TYPE e2e_in_flight gauge
                e2e_in_flight 1.5
                # TYPE e2e_latency_seconds histogram
                e2e_latency_seconds_bucket{le="0.1"} 1
                e2e_latency_seconds_bucket{le="1"} 3
                e2e_latency_seconds_bucket{le="+Inf"} 4
                e2e_latency_seconds_sum 2.5
                e2e_latency_seconds_count 4
                # TYPE "e2e.utf8_total" counter
                {"e2e.utf8_total","http.method"="GET"} 2
                """.formatted(escapeLabelValue(PATH)));
        assertEquals(200, response.statusCode(), () -> new String(response.body()));
    }

    private static void pushShareOverHttpProtobuf() throws Exception {
        byte[] body = ProtoFamilies.delimited(
                ProtoFamilies.counter("e2e_requests_total", "Requests served.", 4, "path", PATH),
                ProtoFamilies.gauge("e2e_in_flight", 2.5),
                ProtoFamilies.histogram("e2e_latency_seconds", 5, 7, 0.5, 2, 1, 2));
        HttpResponse<byte[]> response = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/" + JOB))
                .header("Content-Type", ProtobufRenderer.CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertEquals(200, response.statusCode(), () -> new String(response.body()));
    }

    private static void pushShareOverGrpc() throws Exception {
        try (GrpcSender grpc = new GrpcSender(gateway.port())) {
            grpc.push(Map.of("job", JOB),
                    ProtoFamilies.counter("e2e_requests_total", "", 5, "path", PATH),
                    ProtoFamilies.gauge("e2e_in_flight", -1),
                    ProtoFamilies.histogram("e2e_latency_seconds", 1, 5, 0.1, 0, 10, 1));
        }
    }

    private static String escapeLabelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    @Test
    void prometheusWithDefaultFlagsNegotiatesOpenMetricsAndReadsTheSums() throws Exception {
        assertPrometheusReadsTheSums(plainPrometheus, openMetricsProxy.target());
        assertEveryScrape(openMetricsProxy, "application/openmetrics-text;version=1.0.0,",
                "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores");
    }

    @Test
    void prometheusAskingForText004OnlyGetsItAndReadsTheSums() throws Exception {
        assertPrometheusReadsTheSums(plainPrometheus, text004Proxy.target());
        assertEveryScrape(text004Proxy, "application/openmetrics-text;version=1.0.0,", TextFormatRenderer.CONTENT_TYPE);
        assertTrue(text004Proxy.scrapes().stream().allMatch(s -> s.acceptSentOn().equals(TEXT_004_ONLY)));
    }

    @Test
    void prometheusWithNativeHistogramsNegotiatesProtobufAndReadsTheSums() throws Exception {
        assertPrometheusReadsTheSums(nativeHistogramsPrometheus, protobufProxy.target());
        assertEveryScrape(protobufProxy, "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,",
                ProtobufRenderer.CONTENT_TYPE + "; escaping=underscores");
    }

    private static void assertPrometheusReadsTheSums(RealPrometheus prometheus, String instance) throws Exception {
        String series = "{instance=\"" + instance + "\",job=\"" + JOB + "\"}";
        prometheus.awaitValue("up{instance=\"" + instance + "\"}", 1, SCRAPED_WITHIN);

        Sample requests = prometheus.awaitValue("e2e_requests_total" + series, REQUESTS, SCRAPED_WITHIN);
        assertEquals(PATH, requests.label("path"), "the label value as Prometheus parsed it");
        prometheus.awaitValue("e2e_in_flight" + series, IN_FLIGHT, SCRAPED_WITHIN);
        prometheus.awaitValue("e2e_latency_seconds_count" + series, LATENCY_COUNT, SCRAPED_WITHIN);
        prometheus.awaitValue("e2e_latency_seconds_sum" + series, LATENCY_SUM, SCRAPED_WITHIN);
        // le spellings differ by format in Prometheus 2.x ("1" from text, "1.0" from OpenMetrics and protobuf): compare numbers
        List<Sample> buckets = prometheus.awaitResult("e2e_latency_seconds_bucket" + series,
                samples -> samples.size() == LATENCY_BUCKETS.size(), LATENCY_BUCKETS.size() + " buckets", SCRAPED_WITHIN);
        Map<Double, Double> bucketsByBound = new TreeMap<>();
        buckets.forEach(bucket -> bucketsByBound.put(bucket.upperBound(), bucket.value()));
        assertEquals(LATENCY_BUCKETS, bucketsByBound, "buckets read back through Prometheus");

        // Prometheus 2.42 sends no escaping parameter: it gets the UTF-8 names escaped with underscores in every format
        prometheus.awaitValue("e2e_utf8_total{http_method=\"GET\",instance=\"" + instance + "\"}", 2, SCRAPED_WITHIN);

        String ownPushes = "aggregation_gateway_pushes_total{instance=\"" + instance + "\",result=\"accepted\",format=";
        for (String format : List.of("text", "protobuf", "grpc")) {
            prometheus.awaitValue(ownPushes + "\"" + format + "\"}", 1, SCRAPED_WITHIN);
        }
    }

    /** Every scrape through {@code proxy} asked for {@code acceptPrefix} first, got {@code contentType}, gzipped. */
    private static void assertEveryScrape(ScrapeRecordingProxy proxy, String acceptPrefix, String contentType) {
        List<ScrapeRecordingProxy.Scrape> scrapes = proxy.scrapes();
        assertFalse(scrapes.isEmpty(), "no scrape went through the proxy");
        for (ScrapeRecordingProxy.Scrape scrape : scrapes) {
            assertTrue(scrape.acceptFromScraper().startsWith(acceptPrefix), () -> "Prometheus asked for " + scrape.acceptFromScraper());
            assertEquals(200, scrape.status());
            assertEquals(contentType, scrape.contentType(), "the format the gateway answered with");
            assertEquals("gzip", scrape.contentEncoding(), "Prometheus asks for gzip, the gateway should give it");
        }
    }
}
