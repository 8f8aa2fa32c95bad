package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.support.RunningGateway;
import io.aggregationgateway.testsupport.MiniJson;
import io.aggregationgateway.testsupport.SystemPython;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A counter pushed as text without {@code _total} (as promjs pushes) reaches OpenMetrics scrapers as a
 * counter, read by the Python client's strict OpenMetrics parser, with the sample name client libraries
 * give it; text scrapes keep the name as pushed.
 */
class CounterNamingE2ETest {
    @TempDir
    Path workDir;

    @Test
    void aCounterWithoutTotalIsAnOpenMetricsCounterWithATotalSample() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            gateway.pushText("/metrics/job/web", "# HELP clicks Clicks.\n# TYPE clicks counter\nclicks{button=\"buy\"} 3\n");
            assertEquals("# HELP clicks Clicks.\n# TYPE clicks counter\nclicks{button=\"buy\",job=\"web\"} 3\n", gateway.scrape());

            byte[] openMetrics = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics"))
                    .header("Accept", "application/openmetrics-text;version=1.0.0")).body();
            Path file = Files.write(workDir.resolve("scrape.om"), openMetrics);
            String json = new SystemPython(workDir).run("openmetrics_samples.py", Duration.ofSeconds(20), file.toString());

            Map<?, ?> parsed = (Map<?, ?>) MiniJson.parse(json.strip());
            assertEquals(List.of(List.of("clicks", "counter", "Clicks.")), parsed.get("families"),
                    new String(openMetrics, StandardCharsets.UTF_8));
            List<?> samples = (List<?>) parsed.get("samples");
            assertEquals(List.of("clicks_total", Map.of("button", "buy", "job", "web"), "3.0"), samples.get(0));
            // the counter's start follows it, as OpenMetrics names it: clicks_created, in seconds
            List<?> created = (List<?>) samples.get(1);
            assertEquals(List.of("clicks_created", Map.of("button", "buy", "job", "web")), created.subList(0, 2));
            double start = Double.parseDouble((String) created.get(2));
            assertTrue(Math.abs(System.currentTimeMillis() / 1000.0 - start) < 600, "started now: " + start);
            assertEquals(2, samples.size());
        }
    }
}
