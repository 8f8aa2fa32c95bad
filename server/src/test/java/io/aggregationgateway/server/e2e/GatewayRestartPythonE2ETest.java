package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.support.GatewayProcess;
import io.aggregationgateway.testsupport.SystemPython;
import io.aggregationgateway.testsupport.TextScrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real sender across real restarts: Debian's Python client pushes its registry's running totals
 * ({@code push_to_gateway} with {@code grouping_key={'instance': ...}}) every 0.1 s while the gateway,
 * keeping its state in a snapshot file, is killed with SIGKILL, started again, stopped with SIGTERM
 * and started again. The sums end exactly at what the process counted: the snapshot brought the
 * source's last totals back with the sums, so no push after a restart counts anything twice, and
 * what the crash lost comes back with the next push. The script is {@code e2e/python_source_across_restarts.py}.
 */
class GatewayRestartPythonE2ETest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void aPushToGatewaySenderSumsToWhatItCountedAcrossAKillAndARestart() throws Exception {
        SystemPython python = new SystemPython(dir);
        python.run("python_source_across_restarts.py", Duration.ofSeconds(30), "check");
        Path address = dir.resolve("address");
        String[] flags = {"--persistence-file", dir.resolve("state.snap").toString(), "--persistence-interval", "300ms",
                "--source-label", "instance"};

        CompletableFuture<String> sender;
        try (GatewayProcess first = GatewayProcess.launch(dir.resolve("first.log"), flags)) {
            Files.writeString(address, "127.0.0.1:" + first.awaitListening());
            sender = CompletableFuture.supplyAsync(() -> {
                try {
                    return python.run("python_source_across_restarts.py", Duration.ofSeconds(120), address.toString(), "py-1", "6");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(2000);
            first.kill(); // a crash: what came after the last snapshot is lost until the sender's next push
        }
        try (GatewayProcess second = GatewayProcess.launch(dir.resolve("second.log"), flags)) {
            Files.writeString(address, "127.0.0.1:" + second.awaitListening());
            Thread.sleep(1500);
            assertEquals(0, second.terminate(), second.logTail());
        }
        try (GatewayProcess third = GatewayProcess.launch(dir.resolve("third.log"), flags)) {
            Files.writeString(address, "127.0.0.1:" + third.awaitListening());
            String output = sender.get();
            String line = output.lines().filter(l -> l.startsWith("counted ")).reduce((a, b) -> b).orElseThrow();
            String[] counted = line.split(" ");
            TextScrape scrape = new TextScrape(HTTP.send(HttpRequest.newBuilder(URI.create("http://" + third.address() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            Map<String, String> job = Map.of("job", "restarted");
            assertEquals(Double.parseDouble(counted[1]), value(scrape, "restart_jobs_total", job), output);
            assertEquals(Double.parseDouble(counted[2]), value(scrape, "restart_duration_seconds_count", job), output);
            assertEquals(Double.parseDouble(counted[3]), value(scrape, "restart_duration_seconds_sum", job), 1e-9, output);
            assertTrue(Integer.parseInt(counted[4]) > 0, "some pushes met a stopped gateway: " + output);
            assertTrue(scrape.find("restart_jobs_total", Map.of("instance", "py-1")).isEmpty(), "the source label is not in the sum");
        }
    }

    private static double value(TextScrape scrape, String name, Map<String, String> labels) {
        return scrape.find(name, labels).get(0).value();
    }
}
