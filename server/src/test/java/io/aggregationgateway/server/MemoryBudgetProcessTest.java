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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A gateway with a small heap (128 MB, so a default budget of 64 MB) flooded with series of 63
 * labels of 4 KB (a quarter megabyte each, what once ran a 512 MB heap out of memory at 1,860
 * series): it refuses them with 429 once its budget is used, and keeps answering pushes, scrapes
 * and health checks; no request ever gets a 5xx.
 */
class MemoryBudgetProcessTest {
    private static final int LABELS = 63;
    private static final int VALUE_BYTES = 4_000;
    private static final int SERIES_PER_PUSH = 4;
    private static final int MAX_PUSHES = 400; // 400 MB of labels offered: six times the heap

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aFloodOfHugeSeriesIsRefusedWith429AndTheGatewayKeepsAnswering(@TempDir Path dir) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.launch(dir.resolve("gateway.log"), List.of("-Xmx128m"))) {
            int port = gateway.awaitListening();
            int accepted = 0;
            int refused = 0;
            String refusal = null;
            for (int push = 0; push < MAX_PUSHES && refused < 20; push++) {
                HttpResponse<String> response = post(port, body(push));
                switch (response.statusCode()) {
                    case 200 -> accepted++;
                    case 429 -> {
                        refused++;
                        refusal = response.body();
                    }
                    default -> fail("push " + push + " got " + response.statusCode() + ": " + response.body());
                }
                if (push % 10 == 0) {
                    assertEquals(200, get(port, "/-/healthy").statusCode());
                }
            }
            assertTrue(refused >= 20, "never refused: " + accepted + " pushes accepted");
            assertTrue(accepted > 20, "accepted " + accepted);
            assertTrue(refusal.contains("(--max-store-bytes)"), refusal);

            assertEquals(200, get(port, "/-/healthy").statusCode());
            assertEquals(200, post(port, body(0)).statusCode(), "pushes to existing series still land");
            HttpResponse<String> scrape = get(port, "/metrics");
            assertEquals(200, scrape.statusCode());
            long shown = scrape.body().lines().filter(line -> line.startsWith("flood{")).count();
            assertEquals(accepted * SERIES_PER_PUSH, shown);
            assertTrue(scrape.body().contains("aggregation_gateway_store_bytes "), "self-metric");
        }
    }

    /** Push {@code n}: {@value #SERIES_PER_PUSH} new counter series of {@value #LABELS} labels of 4 KB. */
    private static String body(int n) {
        StringBuilder out = new StringBuilder("# TYPE flood untyped\n");
        String filler = "v".repeat(VALUE_BYTES - 16);
        for (int s = 0; s < SERIES_PER_PUSH; s++) {
            out.append("flood{");
            for (int l = 0; l < LABELS; l++) {
                out.append(l == 0 ? "" : ",").append("l").append(l).append("=\"")
                        .append(String.format("%08d-%06d", n, s * LABELS + l)).append(filler).append('"');
            }
            out.append("} 1\n");
        }
        return out.toString();
    }

    private HttpResponse<String> post(int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics/job/flood"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "text/plain; version=0.0.4")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
