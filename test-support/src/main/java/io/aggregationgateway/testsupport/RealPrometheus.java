package io.aggregationgateway.testsupport;


import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's {@code /usr/bin/prometheus} as a child process on a free loopback port, scraping given
 * targets every second with {@code honor_labels: true} (as one scrapes a push gateway), its data in
 * a directory the test owns. Waits are bounded; the process is stopped by its handle on
 * {@link #close()}, or by a shutdown hook should the JVM exit first. Its output goes to a log file
 * whose tail every failure message carries.
 */
public final class RealPrometheus implements AutoCloseable {
    private static final String BINARY = "/usr/bin/prometheus";
    private static final Duration START_LIMIT = Duration.ofSeconds(20);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;

    private final Process process;
    private final Path log;
    private final URI base;
    private final Thread killOnExit;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private RealPrometheus(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.base = URI.create("http://127.0.0.1:" + port);
        this.killOnExit = new Thread(process::destroyForcibly, "kill prometheus " + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts Prometheus and returns once it answers {@code /-/ready}.
     *
     * @param workDir      a fresh directory for the config, the TSDB and the log
     * @param targets      {@code host:port} pairs scraped at {@code /metrics}
     * @param featureFlags values for {@code --enable-feature}, e.g. {@code native-histograms}
     */
    public static RealPrometheus start(Path workDir, List<String> targets, String... featureFlags) throws IOException, InterruptedException {
        return start(workDir, targets, List.of(), featureFlags);
    }

    /**
     * Starts Prometheus evaluating the given rule files (recording rules every second), and returns
     * once it answers {@code /-/ready}; otherwise as {@link #start(Path, List, String...)}.
     */
    public static RealPrometheus start(Path workDir, List<String> targets, List<Path> ruleFiles, String... featureFlags)
            throws IOException, InterruptedException {
        String binary = RequiredExecutable.require(BINARY, "prometheus").toString();
        Path config = workDir.resolve("prometheus.yml");
        Files.writeString(config, config(targets, ruleFiles));
        Path log = workDir.resolve("prometheus.log");
        // the free port may be taken between picking and binding it: then Prometheus exits, and we try another
        for (int attempt = 1; ; attempt++) {
            int port = FreePort.pick();
            List<String> command = new ArrayList<>(List.of(binary,
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + workDir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port));
            for (String feature : featureFlags) {
                command.add("--enable-feature=" + feature);
            }
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            RealPrometheus prometheus = new RealPrometheus(process, log, port);
            try {
                prometheus.awaitReady();
                return prometheus;
            } catch (PortTakenException e) {
                prometheus.close();
                if (attempt == START_ATTEMPTS) {
                    fail("Prometheus found no free port in " + START_ATTEMPTS + " attempts\n" + prometheus.logTail());
                }
            } catch (Throwable e) {
                prometheus.close();
                throw e;
            }
        }
    }

    private static String config(List<String> targets, List<Path> ruleFiles) {
        String quoted = targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "));
        String rules = ruleFiles.stream().map(f -> "'" + f.toAbsolutePath() + "'").collect(Collectors.joining(", "));
        return """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files: [%s]
                scrape_configs:
                  - job_name: aggregation-gateway
                    honor_labels: true
                    metrics_path: /metrics
                    static_configs:
                      - targets: [%s]
                """.formatted(rules, quoted);
    }

    private static final class PortTakenException extends RuntimeException {
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                if (logTail().contains("address already in use")) {
                    throw new PortTakenException();
                }
                fail("Prometheus exited with " + process.exitValue() + " before it was ready\n" + logTail());
            }
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // keep polling until the deadline
            }
            Thread.sleep(100);
        }
        fail("Prometheus was not ready within " + START_LIMIT + "\n" + logTail());
    }

    /** Evaluates an instant query now; the result must be a vector (a PromQL selector or aggregation). */
    public List<Sample> query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        Map<?, ?> answer = (Map<?, ?>) MiniJson.parse(response.body());
        if (!"success".equals(answer.get("status"))) {
            fail("query " + promql + " failed: " + response.body() + "\n" + logTail());
        }
        Map<?, ?> data = (Map<?, ?>) answer.get("data");
        if (!"vector".equals(data.get("resultType"))) {
            fail("query " + promql + " gave a " + data.get("resultType") + ", not a vector");
        }
        List<Sample> samples = new ArrayList<>();
        for (Object element : (List<?>) data.get("result")) {
            Map<?, ?> result = (Map<?, ?>) element;
            @SuppressWarnings("unchecked")
            Map<String, String> labels = new HashMap<>((Map<String, String>) result.get("metric"));
            String name = labels.remove("__name__");
            List<?> value = (List<?>) result.get("value");
            if (value == null) {
                fail("query " + promql + " returned a sample without a float value (a native histogram?): " + result);
            }
            samples.add(new Sample(name, labels, Sample.parseValue((String) value.get(1))));
        }
        return samples;
    }

    /**
     * Evaluates an instant query now and returns its result vector as parsed JSON, each element a
     * map with {@code metric} and {@code value} or {@code histogram}: for native histogram samples,
     * which {@link #query} does not read.
     */
    public List<?> queryResult(String promql) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        Map<?, ?> answer = (Map<?, ?>) MiniJson.parse(response.body());
        if (!"success".equals(answer.get("status"))) {
            fail("query " + promql + " failed: " + response.body() + "\n" + logTail());
        }
        return (List<?>) ((Map<?, ?>) answer.get("data")).get("result");
    }

    /** Polls {@code promql} until its result satisfies {@code condition}, and returns that result. */
    public List<Sample> awaitResult(String promql, Predicate<List<Sample>> condition, String expectation, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Sample> last;
        do {
            last = query(promql);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return fail("after " + timeout + ", " + promql + " still gave " + last + " instead of " + expectation
                + "\ntargets: " + targets() + "\n" + logTail());
    }

    /** Polls until {@code promql} gives exactly one sample of value {@code expected}. */
    public Sample awaitValue(String promql, double expected, Duration timeout) throws IOException, InterruptedException {
        return awaitResult(promql, samples -> samples.size() == 1 && closeTo(expected, samples.getFirst().value()),
                "one sample of value " + expected, timeout).getFirst();
    }

    public static boolean closeTo(double expected, double actual) {
        return expected == actual || Math.abs(expected - actual) <= 1e-9 * Math.max(1, Math.abs(expected));
    }

    /** The scrape targets' health and last error, as Prometheus reports them: the first clue when no sample arrives. */
    public String targets() {
        try {
            return get("/api/v1/targets?state=active").body();
        } catch (IOException | InterruptedException e) {
            return "(targets unavailable: " + e + ")";
        }
    }

    /** The last lines Prometheus logged. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- prometheus log tail (" + log + ") ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no prometheus log: " + e + ")";
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.destroy(); // SIGTERM: Prometheus closes its TSDB cleanly
            if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } finally {
            http.close();
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or about to: nothing left to undo
            }
        }
    }
}
