package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.support.RunningGateway;
import io.aggregationgateway.testsupport.Closer;
import io.aggregationgateway.testsupport.Sample;
import io.aggregationgateway.testsupport.SystemPython;
import io.aggregationgateway.testsupport.TextScrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's Python client ({@code python3-prometheus-client}) as long-lived senders: several
 * processes at once, each calling {@code push_to_gateway} (PUT of its registry's running totals) with
 * {@code grouping_key={'instance': ...}} every 0.2 s while counting, one of them restarted midway.
 * With {@code --source-label instance} the gateway's sums equal what all of them counted, however
 * often each pushed. The script is {@code e2e/python_source_worker.py}.
 */
class PythonSourcePushE2ETest {
    private static final Duration WORKER_LIMIT = Duration.ofSeconds(60);
    private static final String SECONDS = "2";

    @TempDir
    static Path workDir;

    private static RunningGateway gateway;
    private static SystemPython python;

    @BeforeAll
    static void start() throws Exception {
        python = new SystemPython(workDir);
        python.run("python_source_worker.py", WORKER_LIMIT, "check"); // copies the script once, before the workers share it
        gateway = new RunningGateway("--source-label", "instance");
    }

    @AfterAll
    static void stop() throws Exception {
        Closer.closeAll(gateway);
    }

    /** What one worker run counted: jobs, observations, their sum. */
    private record Counted(double jobs, double observations, double sum) {
        static Counted parse(String output) {
            String line = output.lines().filter(l -> l.startsWith("counted ")).reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no result line in:\n" + output));
            String[] parts = line.split(" ");
            return new Counted(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), Double.parseDouble(parts[3]));
        }
    }

    @Test
    void severalPushToGatewaySendersSumToWhatTheyCounted() throws Exception {
        String address = "127.0.0.1:" + gateway.port();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<List<Counted>>> runs = new ArrayList<>();
        try {
            // w0 runs twice in a row: the second process is the first one restarted, its totals back at zero
            runs.add(pool.submit(() -> List.of(
                    Counted.parse(python.run("python_source_worker.py", WORKER_LIMIT, address, "w0", SECONDS, "1")),
                    Counted.parse(python.run("python_source_worker.py", WORKER_LIMIT, address, "w0", SECONDS, "10")))));
            for (String instance : List.of("w1", "w2")) {
                runs.add(pool.submit(() -> List.of(
                        Counted.parse(python.run("python_source_worker.py", WORKER_LIMIT, address, instance, SECONDS, "100")))));
            }
            double jobs = 0;
            double observations = 0;
            double sum = 0;
            for (Future<List<Counted>> run : runs) {
                for (Counted counted : run.get(2 * WORKER_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                    jobs += counted.jobs();
                    observations += counted.observations();
                    sum += counted.sum();
                }
            }
            String exposition = gateway.scrape();
            TextScrape scrape = new TextScrape(exposition);
            Map<String, String> group = Map.of("job", "sourced");
            assertEquals(jobs, single(scrape, "py_src_jobs_total", Map.of("job", "sourced", "kind", "batch")), exposition);
            assertEquals(observations, single(scrape, "py_src_duration_seconds_count", group), exposition);
            assertEquals(sum, single(scrape, "py_src_duration_seconds_sum", group), 1e-9, exposition);
            // the gauge: the live sources' last values, w0's restarted process included once
            assertEquals(10 + 100 + 100, single(scrape, "py_src_in_flight", group), exposition);
            assertTrue(scrape.samples().stream().noneMatch(s -> s.labels().containsKey("instance")), exposition);
            assertTrue(single(scrape, "aggregation_gateway_source_restarts_total", Map.of()) >= 1, exposition);
            assertEquals(3, single(scrape, "aggregation_gateway_sources", Map.of()), exposition);
        } finally {
            pool.shutdownNow();
        }
    }

    private static double single(TextScrape scrape, String name, Map<String, String> labels) {
        List<Sample> found = scrape.find(name, labels).stream().filter(s -> s.labels().equals(labels)).toList();
        assertEquals(1, found.size(), () -> name + labels + " in " + scrape.samples());
        return found.getFirst().value();
    }
}
