package io.aggregationgateway.server.e2e;

import io.aggregationgateway.testsupport.RequiredExecutable;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * client_golang's {@code push.Pusher} (Debian's {@code golang-github-prometheus-client-golang-dev}, built
 * offline in GOPATH mode with Debian's Go): {@code Push()} lands, and {@code Delete()} succeeds, which it
 * does only on a 202 answer, as the Pushgateway gives. As long-lived senders of running totals
 * ({@code --source-label instance}), several processes' pushes sum to what they counted.
 */
class ClientGolangE2ETest {
    private static final Path CLIENT_GOLANG = Path.of("/usr/share/gocode/src/github.com/prometheus/client_golang/prometheus/push");

    @TempDir
    static Path workDir;

    private static Path program;

    @BeforeAll
    static void buildOnce() throws Exception {
        program = build();
    }

    @Test
    void pushThenDeleteWithClientGolang() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            String url = "http://127.0.0.1:" + gateway.port();
            run(program, url, "push");
            assertEquals("""
                    # HELP go_jobs_total Jobs done.
                    # TYPE go_jobs_total counter
                    go_jobs_total{instance="w1",job="go_batch"} 3
                    """, gateway.scrape());
            gateway.pushText("/metrics/job/other", "kept 1\n");
            run(program, url, "delete");
            assertEquals("# TYPE kept untyped\nkept{job=\"other\"} 1\n", gateway.scrape());
        }
    }

    @Test
    void pushersOfRunningTotalsSumToWhatTheyCounted() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--source-label", "instance")) {
            String url = "http://127.0.0.1:" + gateway.port();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (String instance : List.of("g1", "g2", "g3")) {
                    runs.add(pool.submit(() -> {
                        run(program, url, "source", instance, "20");
                        return null;
                    }));
                }
                for (Future<?> run : runs) {
                    run.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            String scrape = gateway.scrape();
            // each counted 1 + 2 + ... + 20 = 210, pushed its totals 40 times; its gauge's last value is 20
            assertTrue(scrape.contains("go_src_jobs_total{job=\"go_service\"} 630\n"), scrape);
            assertTrue(scrape.contains("go_src_in_flight{job=\"go_service\"} 60\n"), scrape);
            assertTrue(scrape.contains("aggregation_gateway_sources 3\n"), scrape);

            gateway.pushText("/metrics/job/go_service/instance/g1", "# TYPE go_src_jobs_total counter\ngo_src_jobs_total 215\n");
            // client_golang's Delete() of a source's group, which needs the 202, forgets that source
            run(program, url, "delete-source", "g2");
            scrape = gateway.scrape();
            assertTrue(scrape.contains("go_src_jobs_total{job=\"go_service\"} 635\n"), scrape);
            assertTrue(scrape.contains("go_src_in_flight{job=\"go_service\"} 40\n"), scrape);
            assertTrue(scrape.contains("aggregation_gateway_sources 2\n"), scrape);
        }
    }

    /** Builds test resource {@code e2e/go_push_delete.go} against the Debian packages, offline. */
    private static Path build() throws IOException, InterruptedException {
        String go = RequiredExecutable.require("/usr/bin/go", "golang-go").toString();
        if (!Files.isDirectory(CLIENT_GOLANG)) {
            RequiredExecutable.unavailable(CLIENT_GOLANG + " is missing (apt-get install golang-github-prometheus-client-golang-dev)");
        }
        Path source = Files.createDirectories(workDir.resolve("gopath/src/pushdelete")).resolve("main.go");
        try (InputStream resource = ClientGolangE2ETest.class.getResourceAsStream("/e2e/go_push_delete.go")) {
            Files.copy(resource, source);
        }
        Path binary = workDir.resolve("go_push_delete");
        ProcessBuilder builder = new ProcessBuilder(go, "build", "-o", binary.toString(), "pushdelete")
                .directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().put("GO111MODULE", "off");
        builder.environment().put("GOFLAGS", "");
        builder.environment().put("GOPATH", workDir.resolve("gopath") + ":/usr/share/gocode");
        builder.environment().put("GOPROXY", "off");
        if (System.getenv("GOCACHE") == null && System.getenv("HOME") == null) {
            builder.environment().put("GOCACHE", workDir.resolve("gocache").toString()); // Go needs one somewhere
        }
        String output = runToEnd(builder, 300);
        assertTrue(Files.isExecutable(binary), "go build failed:\n" + output);
        return binary;
    }

    private static void run(Path program, String url, String action, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(program.toString(), url, action));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("http_proxy");
        builder.environment().remove("HTTP_PROXY");
        String output = runToEnd(builder, 60);
        assertEquals("", output, action + " failed");
    }

    /** Runs to its end (at most {@code seconds}) and returns its output; fails if it does not exit 0. */
    private static String runToEnd(ProcessBuilder builder, int seconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("go", ".out");
        Process process = builder.redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        try {
            assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), "did not finish within " + seconds + " s");
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), output);
            return output;
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
