package io.aggregationgateway.server;

import io.aggregationgateway.server.support.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * With {@code --max-series} at its default (a million) and a heap far too small for a million
 * ordinary series (64 MB), a flood of them is refused with 429 by the byte budget before the heap
 * runs out: the gateway keeps answering pushes, scrapes of everything it holds and health checks,
 * and never answers 5xx or logs an {@code OutOfMemoryError}.
 */
class DefaultSeriesLimitProcessTest {
    private static final int SERIES_PER_PUSH = 5_000;
    private static final int MAX_PUSHES = 1_000_000 / SERIES_PER_PUSH; // the default --max-series, offered whole

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aMillionSmallSeriesOnASmallHeapAreRefusedWith429BeforeItRunsOut(@TempDir Path dir) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.launch(dir.resolve("gateway.log"), List.of("-Xmx64m"),
                "--self-metrics", "false")) {
            int port = gateway.awaitListening();
            int accepted = 0;
            String refusal = null;
            for (int push = 0; push < MAX_PUSHES && refusal == null; push++) {
                HttpResponse<String> response = post(port, body(push));
                switch (response.statusCode()) {
                    case 200 -> accepted++;
                    case 429 -> refusal = response.body();
                    default -> fail("push " + push + " got " + response.statusCode() + ": " + response.body());
                }
                if (push % 10 == 0) {
                    assertEquals(200, get(port, "/-/healthy").statusCode());
                    assertEquals(200, get(port, "/metrics").statusCode(), "scrape after push " + push);
                }
            }
            assertTrue(refusal != null, "never refused: " + accepted + " pushes accepted");
            assertTrue(refusal.contains("(--max-store-bytes)"), refusal);
            assertTrue(accepted * SERIES_PER_PUSH < 1_000_000, "refused before --max-series");

            for (int i = 0; i < 3; i++) {
                HttpResponse<String> scrape = get(port, "/metrics");
                assertEquals(200, scrape.statusCode());
                assertEquals((long) accepted * SERIES_PER_PUSH, scrape.body().lines().filter(line -> line.startsWith("flood_")).count());
            }
            assertEquals(200, post(port, body(0)).statusCode(), "pushes to existing series still land");
            assertEquals(429, post(port, body(MAX_PUSHES - 1)).statusCode(), "new series are still refused");
            assertEquals(200, get(port, "/-/healthy").statusCode());
            assertFalse(gateway.log().contains("OutOfMemoryError"), gateway.logTail());
        }
    }

    /** Push {@code n}: {@value #SERIES_PER_PUSH} new counter series of 5 labels, about 60 bytes of them (as bench/run's fill). */
    private static String body(int n) {
        StringBuilder out = new StringBuilder();
        for (int family = 0; family < 10; family++) {
            out.append("# TYPE flood_").append(family).append("_total counter\n");
            for (int s = family; s < SERIES_PER_PUSH; s += 10) {
                out.append("flood_").append(family).append("_total{method=\"GET\",path=\"/api/v1/items/").append(s)
                        .append("\",shard=\"").append(n).append("\",status=\"200\"} 1\n");
            }
        }
        return out.toString();
    }

    private HttpResponse<String> post(int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics/job/fill"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "text/plain; version=0.0.4")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(120)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
