package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.support.RunningGateway;
import io.aggregationgateway.testsupport.Closer;
import io.aggregationgateway.testsupport.Sample;
import io.aggregationgateway.testsupport.SystemPython;
import io.aggregationgateway.testsupport.TextScrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's Python client ({@code python3-prometheus-client} 0.16) pushes with {@code push_to_gateway} (PUT)
 * and {@code pushadd_to_gateway} (POST), several worker processes one after the other; the gateway must
 * add every push up, since for it PUT does not replace. The script is {@code e2e/python_worker.py}.
 */
class PythonClientPushE2ETest {
    private static final Duration WORKER_LIMIT = Duration.ofSeconds(20);
    /** The worker's grouping key: both values hold a '/', so the client sends them base64-encoded. */
    private static final Map<String, String> GROUP = Map.of("job", "nightly/report", "region", "eu/west");
    /** Amount and observation of each worker run; every run pushes its registry twice. */
    private static final double[][] RUNS = {{1, 0.05}, {2, 0.5}, {3, 5}};
    private static final int PUSHES_PER_RUN = 2;

    @TempDir
    static Path workDir;

    private static RunningGateway gateway;
    private static SystemPython python;

    @BeforeAll
    static void start() throws Exception {
        python = new SystemPython(workDir);
        gateway = new RunningGateway("--self-metrics", "false");
    }

    @AfterAll
    static void stop() throws Exception {
        Closer.closeAll(gateway);
    }

    @BeforeEach
    void empty() {
        gateway.aggregator.reset();
    }

    private static String address() {
        return "127.0.0.1:" + gateway.port();
    }

    private static void runWorkers() throws Exception {
        for (double[] run : RUNS) {
            python.run("python_worker.py", WORKER_LIMIT, address(), "push", String.valueOf(run[0]), String.valueOf(run[1]));
        }
    }

    @Test
    void pushAndPushAddFromSeveralWorkersAddUp() throws Exception {
        runWorkers();
        String exposition = gateway.scrape();
        TextScrape scrape = new TextScrape(exposition);

        // counter and gauge: every push adds its value, PUT as much as POST
        assertEquals(PUSHES_PER_RUN * (1 + 2 + 3), single(scrape, "py_jobs_total", Map.of("kind", "batch")), exposition);
        assertEquals(PUSHES_PER_RUN * (1 + 2 + 3), single(scrape, "py_queue_depth", Map.of()), exposition);

        // histogram with buckets 0.1, 1, 10: the runs observed 0.05, 0.5 and 5, each pushed twice
        assertEquals(PUSHES_PER_RUN * 3, single(scrape, "py_duration_seconds_count", Map.of()), exposition);
        assertEquals(PUSHES_PER_RUN * (0.05 + 0.5 + 5), single(scrape, "py_duration_seconds_sum", Map.of()), 1e-9, exposition);
        Map<Double, Double> buckets = new TreeMap<>();
        scrape.find("py_duration_seconds_bucket", GROUP).forEach(b -> buckets.put(b.upperBound(), b.value()));
        assertEquals(new TreeMap<>(Map.of(0.1, 2.0, 1.0, 4.0, 10.0, 6.0, Double.POSITIVE_INFINITY, 6.0)), buckets, exposition);

        // the client's _created series are dropped, the summary is discarded whole
        assertTrue(scrape.samples().stream().noneMatch(s -> s.name().endsWith("_created")), exposition);
        assertFalse(exposition.contains("py_payload_bytes"), exposition);
        // the base64-encoded grouping values arrive with their '/' intact, on every series
        assertTrue(scrape.samples().stream().allMatch(s -> s.labels().entrySet().containsAll(GROUP.entrySet())), exposition);
        assertEquals(Map.of("py_jobs_total", 1L, "py_queue_depth", 1L, "py_duration_seconds_bucket", 4L,
                        "py_duration_seconds_count", 1L, "py_duration_seconds_sum", 1L),
                countByName(scrape.samples()), exposition);
    }

    @Test
    void deleteFromGatewayForgetsTheBase64Group() throws Exception {
        runWorkers();
        gateway.pushText("/metrics/job/other", "# TYPE kept_total counter\nkept_total 1\n");
        python.run("python_worker.py", WORKER_LIMIT, address(), "delete");
        assertEquals("# TYPE kept_total counter\nkept_total{job=\"other\"} 1\n", gateway.scrape());
    }

    private static double single(TextScrape scrape, String name, Map<String, String> labels) {
        Map<String, String> wanted = new HashMap<>(GROUP);
        wanted.putAll(labels);
        List<Sample> found = scrape.find(name, wanted);
        assertEquals(1, found.size(), () -> name + wanted + " in " + scrape.samples());
        return found.getFirst().value();
    }

    private static Map<String, Long> countByName(List<Sample> samples) {
        Map<String, Long> counts = new TreeMap<>();
        samples.forEach(s -> counts.merge(s.name(), 1L, Long::sum));
        return counts;
    }
}
