package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.expose.ProtobufRenderer;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * UTF-8 metric and label names through the real server: pushed as quoted text with a
 * {@code U__}-escaped grouping label, as protobuf over HTTP and over gRPC; scraped as Prometheus 3
 * asks (OpenMetrics 1.0.0, {@code escaping=allow-utf-8}) and as a scraper without UTF-8 support asks.
 */
class Utf8NamesThroughTheServerTest {
    /** What Prometheus 3 sends with its default scrape_protocols. */
    static final String PROMETHEUS_3_ACCEPT = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
            + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
            + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

    private static HttpResponse<byte[]> scrape(RunningGateway gateway, String accept) throws Exception {
        return gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics")).header("Accept", accept));
    }

    /** The body with every {@code _created} sample's value replaced by {@code T}, once checked to be a time of this run. */
    private static String withStartsChecked(String body, long pushedFromMillis) {
        StringBuilder out = new StringBuilder();
        for (String line : body.split("\n", -1)) {
            int space = line.lastIndexOf(' ');
            if (line.contains("_created") && space > 0) {
                double seconds = Double.parseDouble(line.substring(space + 1));
                long millis = Math.round(seconds * 1000);
                if (millis < pushedFromMillis || millis > System.currentTimeMillis()) {
                    throw new AssertionError("a start outside the run: " + line);
                }
                line = line.substring(0, space) + " T";
            }
            out.append(line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    @Test
    void utf8NamesFromEveryPushFormatReachPrometheus3AsTheyAreAndOthersEscaped() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            long from = System.currentTimeMillis();
            HttpResponse<byte[]> text = gateway.pushText("/metrics/job/web/U__zone_2e_name/eu", """
                    # HELP "http.server.requests_total" Requests.
                    # TYPE "http.server.requests_total" counter
                    {"http.server.requests_total","http.method"="GET"} 3
                    """);
            assertEquals(200, text.statusCode(), () -> new String(text.body(), StandardCharsets.UTF_8));
            HttpResponse<byte[]> protobuf = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/web/U__zone_2e_name/eu"))
                    .header("Content-Type", ProtobufRenderer.CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofByteArray(
                            ProtoFamilies.delimited(ProtoFamilies.counter("http.server.requests_total", "", 4, "http.method", "GET")))));
            assertEquals(200, protobuf.statusCode(), () -> new String(protobuf.body(), StandardCharsets.UTF_8));
            try (GrpcSender grpc = new GrpcSender(gateway.port())) {
                grpc.push(Map.of("job", "web", "zone.name", "eu"),
                        ProtoFamilies.counter("http.server.requests_total", "", 5, "http.method", "GET"),
                        ProtoFamilies.histogram("rpc.duration", 2, 0.5, 0.25, 1));
            }

            HttpResponse<byte[]> prometheus3 = scrape(gateway, PROMETHEUS_3_ACCEPT);
            assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
                    prometheus3.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("""
                    # HELP "http.server.requests" Requests.
                    # TYPE "http.server.requests" counter
                    {"http.server.requests_total","http.method"="GET",job="web","zone.name"="eu"} 12
                    {"http.server.requests_created","http.method"="GET",job="web","zone.name"="eu"} T
                    # TYPE "rpc.duration" histogram
                    {"rpc.duration_bucket",job="web","zone.name"="eu",le="0.25"} 1
                    {"rpc.duration_bucket",job="web","zone.name"="eu",le="+Inf"} 2
                    {"rpc.duration_count",job="web","zone.name"="eu"} 2
                    {"rpc.duration_sum",job="web","zone.name"="eu"} 0.5
                    {"rpc.duration_created",job="web","zone.name"="eu"} T
                    # EOF
                    """, withStartsChecked(new String(prometheus3.body(), StandardCharsets.UTF_8), from));

            HttpResponse<byte[]> legacy = scrape(gateway, "text/plain;version=0.0.4");
            assertEquals("text/plain; version=0.0.4; charset=utf-8", legacy.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("""
                    # HELP http_server_requests_total Requests.
                    # TYPE http_server_requests_total counter
                    http_server_requests_total{http_method="GET",job="web",zone_name="eu"} 12
                    # TYPE rpc_duration histogram
                    rpc_duration_bucket{job="web",zone_name="eu",le="0.25"} 1
                    rpc_duration_bucket{job="web",zone_name="eu",le="+Inf"} 2
                    rpc_duration_sum{job="web",zone_name="eu"} 0.5
                    rpc_duration_count{job="web",zone_name="eu"} 2
                    """, new String(legacy.body(), StandardCharsets.UTF_8));

            HttpResponse<byte[]> deleted = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/web/U__zone_2e_name/eu"))
                    .DELETE());
            assertEquals(202, deleted.statusCode());
            assertEquals("# EOF\n", new String(scrape(gateway, PROMETHEUS_3_ACCEPT).body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aNameThatCollidesOnceEscapedIsRefusedNamingBoth() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            assertEquals(200, gateway.pushText("/metrics/job/web", "{\"queue.depth\"} 3\n").statusCode());
            HttpResponse<byte[]> refused = gateway.pushText("/metrics/job/web", "queue_depth 4\n");
            assertEquals(400, refused.statusCode());
            assertEquals("family queue_depth (untyped) collides with untyped queue.depth, which the gateway holds: scrapers"
                    + " without UTF-8 support (escaping=underscores) see queue.depth as queue_depth, so both claim the name"
                    + " queue_depth in their scrapes; one of the two needs another name\n",
                    new String(refused.body(), StandardCharsets.UTF_8));
            assertEquals("# TYPE queue_depth untyped\nqueue_depth{job=\"web\"} 3\n", gateway.scrape());
        }
    }
}
