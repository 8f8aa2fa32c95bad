package io.aggregationgateway.server.http;

import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Forgetting, limits, CORS and self-observation, each through a real server. */
class OperationsTest {
    private static final String COUNTER = "# TYPE jobs_total counter\njobs_total 1\n";

    /** Polls until {@code condition} holds, for at most {@code limit}. */
    static boolean eventually(Duration limit, ThrowingCondition condition) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.holds();
    }

    @FunctionalInterface
    interface ThrowingCondition {
        boolean holds() throws Exception;
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aQuartzSecondsScheduleEmptiesTheAggregate() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--reset-cron", "*/1 * * * * ?")) {
            assertEquals(200, gateway.pushText("/metrics/job/a", COUNTER).statusCode());
            assertTrue(gateway.scrape().contains("aggregation_gateway_next_reset_timestamp_seconds "));
            assertTrue(eventually(Duration.ofSeconds(5), () -> !gateway.scrape().contains("jobs_total")),
                    "the every-second reset never cleared the aggregate");
            assertTrue(eventually(Duration.ofSeconds(3), () -> gateway.scrape().contains("aggregation_gateway_last_reset_timestamp_seconds ")));
        }
    }

    @Test
    void seriesExpireAfterTheTtl() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--series-ttl", "2s", "--self-metrics", "false")) {
            gateway.pushText("/metrics/job/a", COUNTER);
            assertTrue(gateway.scrape().contains("jobs_total{job=\"a\"} 1"));
            assertTrue(eventually(Duration.ofSeconds(10), () -> gateway.scrape().isEmpty()), "series did not expire");
            gateway.pushText("/metrics/job/a", "# TYPE jobs_total gauge\njobs_total 7\n"); // the expired family's type is free again
            assertEquals("# TYPE jobs_total gauge\njobs_total{job=\"a\"} 7\n", gateway.scrape());
        }
    }

    @Test
    void deleteByPartialGroupingKey() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            gateway.pushText("/metrics/job/a/instance/1", COUNTER);
            gateway.pushText("/metrics/job/a/instance/2", COUNTER);
            gateway.pushText("/metrics/job/b/instance/1", COUNTER);
            HttpResponse<byte[]> deleted = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/a")).DELETE());
            assertEquals(202, deleted.statusCode(), "202 Accepted, as the Pushgateway answers");
            assertEquals("deleted 2 series carrying {job=\"a\"}\n", body(deleted));
            assertEquals("# TYPE jobs_total counter\njobs_total{instance=\"1\",job=\"b\"} 1\n", gateway.scrape());
            HttpResponse<byte[]> noGroup = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/")).DELETE());
            assertEquals(400, noGroup.statusCode());
            assertTrue(body(noGroup).contains("the path must name a group"));
        }
    }

    @Test
    void limitsAnswer413And429And400AndChangeNothing() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false", "--max-body-bytes", "1000",
                "--max-series", "2", "--max-labels-per-series", "3", "--max-label-value-bytes", "16")) {
            gateway.pushText("/metrics/job/a", "x{i=\"1\"} 1\n");
            String before = gateway.scrape();

            HttpResponse<byte[]> large = gateway.pushText("/metrics/job/a", "x{i=\"1\"} 1\n" + "#".repeat(2000) + "\n");
            assertEquals(413, large.statusCode());

            ByteArrayOutputStream bomb = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
                gz.write(("x{i=\"1\"} 1\n" + "#".repeat(100_000) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(bomb.size() < 1000, "the compressed bomb itself is under the limit");
            HttpResponse<byte[]> gzipBomb = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/a"))
                    .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(bomb.toByteArray())));
            assertEquals(413, gzipBomb.statusCode());
            assertTrue(body(gzipBomb).contains("decoded request body is larger than the limit of 1000 bytes"), body(gzipBomb));

            HttpResponse<byte[]> tooMany = gateway.pushText("/metrics/job/a", "x{i=\"1\"} 1\nx{i=\"2\"} 1\nx{i=\"3\"} 1\n");
            assertEquals(429, tooMany.statusCode());
            assertTrue(body(tooMany).contains("exceed the limit of 2 series (--max-series)"), body(tooMany));

            HttpResponse<byte[]> labels = gateway.pushText("/metrics/job/a", "x{a=\"1\",b=\"2\",c=\"3\"} 1\n");
            assertEquals(400, labels.statusCode());
            assertTrue(body(labels).contains("--max-labels-per-series"), body(labels));
            HttpResponse<byte[]> value = gateway.pushText("/metrics/job/a", "x{i=\"" + "v".repeat(17) + "\"} 1\n");
            assertEquals(400, value.statusCode());
            assertTrue(body(value).contains("--max-label-value-bytes"), body(value));

            assertEquals(before, gateway.scrape());
            assertEquals(200, gateway.pushText("/metrics/job/a", "x{i=\"1\"} 1\nx{i=\"2\"} 1\n").statusCode());
        }
    }

    @Test
    void corsPreflightAndHeadersOnlyForListedOrigins() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--cors-origin", "https://app.example")) {
            HttpResponse<byte[]> preflight = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/web"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type"));
            assertEquals(204, preflight.statusCode());
            assertEquals("https://app.example", preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertEquals("POST, PUT", preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());
            assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow().contains("Content-Type"));
            assertEquals("600", preflight.headers().firstValue("Access-Control-Max-Age").orElseThrow());

            HttpResponse<byte[]> stranger = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/web"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST"));
            assertFalse(stranger.headers().firstValue("Access-Control-Allow-Origin").isPresent());
            assertFalse(stranger.headers().firstValue("Access-Control-Allow-Methods").isPresent());

            HttpResponse<byte[]> push = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/web"))
                    .header("Origin", "https://app.example").POST(HttpRequest.BodyPublishers.ofString(COUNTER)));
            assertEquals(200, push.statusCode());
            assertEquals("https://app.example", push.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            HttpResponse<byte[]> strangerPush = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/web"))
                    .header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.ofString(COUNTER)));
            assertFalse(strangerPush.headers().firstValue("Access-Control-Allow-Origin").isPresent());
        }
    }

    @Test
    void aPushFromAnOriginNotAllowedIs403AndChangesNothing() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--cors-origin", "https://app.example", "--self-metrics", "false")) {
            gateway.pushText("/metrics/job/web", COUNTER);
            String before = gateway.scrape();
            // what a text/plain fetch or sendBeacon sends: no preflight, straight to the push
            HttpResponse<byte[]> stranger = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/web"))
                    .header("Origin", "https://evil.example").header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(COUNTER)));
            assertEquals(403, stranger.statusCode());
            assertEquals("origin https://evil.example may not push here (--cors-origin)\n", body(stranger));
            assertEquals("Origin", stranger.headers().firstValue("Vary").orElseThrow());
            assertEquals(before, gateway.scrape(), "nothing of it applied");

            HttpResponse<byte[]> server = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/web"))
                    .POST(HttpRequest.BodyPublishers.ofString(COUNTER)));
            assertEquals(200, server.statusCode(), "no Origin: not a browser, not affected");
            assertEquals("Origin", server.headers().firstValue("Vary").orElseThrow());

            HttpResponse<byte[]> bad = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/web"))
                    .header("Origin", "https://app.example").POST(HttpRequest.BodyPublishers.ofString("bad line\n")));
            assertEquals(400, bad.statusCode());
            assertEquals("Origin", bad.headers().firstValue("Vary").orElseThrow(), "every answer of a push route varies by Origin");
            assertEquals("https://app.example", bad.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        }
        try (RunningGateway noOrigins = new RunningGateway()) {
            HttpResponse<byte[]> browser = noOrigins.send(HttpRequest.newBuilder(noOrigins.uri("/metrics/job/web"))
                    .header("Origin", "https://app.example").POST(HttpRequest.BodyPublishers.ofString(COUNTER)));
            assertEquals(403, browser.statusCode(), "without --cors-origin no browser origin may push");
            assertTrue(body(browser).contains("no origins are allowed"), body(browser));
            assertTrue(noOrigins.scrape().contains("aggregation_gateway_rejections_total{reason=\"origin_not_allowed\"} 1"));
        }
    }

    @Test
    void credentialsAreAllowedOnlyWhenAskedFor() throws Exception {
        HttpRequest.Builder preflight = HttpRequest.newBuilder()
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type");
        try (RunningGateway plain = new RunningGateway("--cors-origin", "*")) {
            HttpResponse<byte[]> answer = plain.send(preflight.copy().uri(plain.uri("/metrics/job/web")));
            assertEquals("*", answer.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertFalse(answer.headers().firstValue("Access-Control-Allow-Credentials").isPresent());
        }
        try (RunningGateway credentialed = new RunningGateway("--cors-origin", "*", "--cors-allow-credentials", "true")) {
            HttpResponse<byte[]> answer = credentialed.send(preflight.copy().uri(credentialed.uri("/metrics/job/web")));
            assertEquals(204, answer.statusCode());
            assertEquals("https://app.example", answer.headers().firstValue("Access-Control-Allow-Origin").orElseThrow(),
                    "credentialed requests need the origin itself, not *");
            assertEquals("true", answer.headers().firstValue("Access-Control-Allow-Credentials").orElseThrow());
            HttpResponse<byte[]> push = credentialed.send(HttpRequest.newBuilder(credentialed.uri("/metrics/job/web"))
                    .header("Origin", "https://app.example").header("Cookie", "session=1")
                    .header("Content-Type", "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[0])));
            assertEquals(200, push.statusCode());
            assertEquals("https://app.example", push.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertEquals("true", push.headers().firstValue("Access-Control-Allow-Credentials").orElseThrow());
        }
    }

    @Test
    void ownMetricsCountPushesAndNeverCollideWithPushedOnes() throws Exception {
        try (RunningGateway gateway = new RunningGateway()) {
            gateway.pushText("/metrics/job/a", COUNTER);
            gateway.pushText("/metrics/job/a", "bad line\n");
            HttpResponse<byte[]> reserved = gateway.pushText("/metrics/job/a", "aggregation_gateway_series 5\n");
            assertEquals(400, reserved.statusCode());
            assertTrue(body(reserved).contains("the prefix aggregation_gateway_ is reserved"), body(reserved));
            String scrape = gateway.scrape();
            assertTrue(scrape.contains("aggregation_gateway_pushes_total{format=\"text\",result=\"accepted\"} 1\n"), scrape);
            assertTrue(scrape.contains("aggregation_gateway_pushes_total{format=\"text\",result=\"rejected\"} 2\n"), scrape);
            assertTrue(scrape.contains("aggregation_gateway_rejections_total{reason=\"malformed\"} 1\n"), scrape);
            assertTrue(scrape.contains("aggregation_gateway_rejections_total{reason=\"invalid_name\"} 1\n"), scrape);
            assertTrue(scrape.contains("aggregation_gateway_series 1\n"), scrape);
            assertTrue(scrape.contains("aggregation_gateway_families 1\n"), scrape);
            assertTrue(scrape.contains("# TYPE aggregation_gateway_received_bytes_total counter\n"), scrape);
            assertFalse(scrape.contains("aggregation_gateway_next_reset_timestamp_seconds"), "no schedule, no next reset");
            assertTrue(scrape.indexOf("aggregation_gateway_") < scrape.indexOf("jobs_total"), "sorted by name");
            io.aggregationgateway.testsupport.Promtool.checkMetrics(scrape.getBytes(StandardCharsets.UTF_8));
        }
        try (RunningGateway quiet = new RunningGateway("--self-metrics", "false")) {
            quiet.pushText("/metrics/job/a", COUNTER);
            assertFalse(quiet.scrape().contains("aggregation_gateway_"));
        }
    }
}
