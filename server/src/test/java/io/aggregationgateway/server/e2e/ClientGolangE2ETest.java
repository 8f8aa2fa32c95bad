package io.aggregationgateway.server.e2e;

import io.aggregationgateway.testsupport.RequiredExecutable;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * client_golang's {@code push.Pusher} (Debian's {@code golang-github-prometheus-client-golang-dev}, built
 * offline in GOPATH mode with Debian's Go): {@code Push()} lands, and {@code Delete()} succeeds, which it
 * does only on a 202 answer, as the Pushgateway gives.
 */
class ClientGolangE2ETest {
    private static final Path CLIENT_GOLANG = Path.of("/usr/share/gocode/src/github.com/prometheus/client_golang/prometheus/push");

    @TempDir
    Path workDir;

    @Test
    void pushThenDeleteWithClientGolang() throws Exception {
        Path program = build();
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

    /** Builds test resource {@code e2e/go_push_delete.go} against the Debian packages, offline. */
    private Path build() throws IOException, InterruptedException {
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

    private static void run(Path program, String url, String action) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(program.toString(), url, action)).redirectErrorStream(true);
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
