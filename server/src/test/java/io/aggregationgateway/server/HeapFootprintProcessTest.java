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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The gateway started as {@code java} starts it sets the manageable heap flags that keep its
 * footprint near the live data (the ratios once it is quiet, under G1), and leaves alone one the
 * command line chose.
 */
class HeapFootprintProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void setsTheHeapFlagsTheCommandLineLeftAtTheirDefaults(@TempDir Path dir) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.launch(dir.resolve("gateway.log"), List.of("-XX:MaxHeapFreeRatio=50"))) {
            gateway.awaitListening();
            String flags = jcmd(gateway.pid(), "VM.flags");
            assertTrue(flags.contains("-XX:G1PeriodicGCInterval=30000"), flags);
            assertTrue(flags.contains("-XX:MaxHeapFreeRatio=50"), "the operator's choice stays: " + flags);
            assertFalse(flags.contains("-XX:MinHeapFreeRatio="), "not quiet yet: the JVM's own ratio: " + flags);
        }
    }

    @Test
    void keepsTheHeapSmallOnceQuietAndLetsItGrowAgainUnderLoad(@TempDir Path dir) throws Exception {
        // the operator's interval (kept), short so that the gateway is soon quiet
        try (GatewayProcess gateway = GatewayProcess.launch(dir.resolve("gateway.log"),
                List.of("-Xmx128m", "-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=3000", "-XX:TieredStopAtLevel=1"))) {
            gateway.awaitListening();
            String quiet = awaitFlags(gateway, "quiet", f -> f.contains("-XX:MinHeapFreeRatio=5") && f.contains("-XX:MaxHeapFreeRatio=10"));
            assertTrue(quiet.contains("-XX:G1PeriodicGCInterval=3000"), quiet);

            // pushes without pause allocate: the collections they start give the ratios back their JVM values
            String body = manySeries(20_000);
            AtomicBoolean pushing = new AtomicBoolean(true);
            AtomicInteger refused = new AtomicInteger();
            Thread pusher = Thread.ofPlatform().start(() -> {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (pushing.get() && System.nanoTime() < deadline) {
                    try {
                        if (push(gateway.port(), body) != 200) {
                            refused.incrementAndGet();
                        }
                    } catch (Exception e) {
                        refused.incrementAndGet();
                    }
                }
            });
            try {
                awaitFlags(gateway, "busy", f -> f.contains("-XX:MinHeapFreeRatio=40") && f.contains("-XX:MaxHeapFreeRatio=70"));
            } finally {
                pushing.set(false);
                pusher.join();
            }
            assertEquals(0, refused.get(), "pushes refused or failed");

            awaitFlags(gateway, "quiet again", f -> f.contains("-XX:MinHeapFreeRatio=5") && f.contains("-XX:MaxHeapFreeRatio=10"));
        }
    }

    @Test
    void setsTheRatiosAtStartUnderAnotherCollector(@TempDir Path dir) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.launch(dir.resolve("gateway.log"), List.of("-Xmx64m", "-XX:+UseSerialGC"))) {
            gateway.awaitListening();
            String flags = jcmd(gateway.pid(), "VM.flags");
            assertTrue(flags.contains("-XX:MinHeapFreeRatio=5") && flags.contains("-XX:MaxHeapFreeRatio=10"), flags);
            assertFalse(flags.contains("G1PeriodicGCInterval"), "no G1, no periodic collection: " + flags);
        }
    }

    private static String manySeries(int count) {
        StringBuilder out = new StringBuilder("# TYPE heap_test_total counter\n");
        for (int i = 0; i < count; i++) {
            out.append("heap_test_total{path=\"/api/v1/items/").append(i).append("\"} 1\n");
        }
        return out.toString();
    }

    private int push(int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics/job/heap"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String awaitFlags(GatewayProcess gateway, String what, Predicate<String> wanted) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String flags = jcmd(gateway.pid(), "VM.flags");
        while (!wanted.test(flags)) {
            if (System.nanoTime() > deadline) {
                fail("the heap flags did not become those of a gateway that is " + what + " within " + WAIT + ": " + flags
                        + "\n" + gateway.logTail());
            }
            Thread.sleep(500);
            flags = jcmd(gateway.pid(), "VM.flags");
        }
        return flags;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Process jcmd = new ProcessBuilder(java.resolveSibling("jcmd").toString(), Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS), "jcmd did not finish");
        return out;
    }
}
