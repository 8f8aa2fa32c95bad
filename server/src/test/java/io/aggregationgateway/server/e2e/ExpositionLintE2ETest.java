package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.expose.OpenMetricsRenderer;
import io.aggregationgateway.server.expose.ProtobufRenderer;
import io.aggregationgateway.server.support.RunningGateway;
import io.aggregationgateway.testsupport.Closer;
import io.aggregationgateway.testsupport.MiniJson;
import io.aggregationgateway.testsupport.Promtool;
import io.aggregationgateway.testsupport.Sample;
import io.aggregationgateway.testsupport.SystemPython;
import io.aggregationgateway.testsupport.TextScrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After a rich set of pushes (every type, escapes, non-ASCII label values, histograms whose bucket
 * bounds differ between pushes, summaries, a rejected push; the gateway's own metrics on), each scrape
 * format must pass the reference tool that reads it.
 *
 * <p>Text 0.0.4 goes to {@code promtool check metrics} (Debian {@code prometheus} 2.42). That is the only
 * format promtool 2.42 reads: it parses stdin with the text 0.0.4 parser whatever it is, so fed
 * OpenMetrics it rejects the {@code \"} escape OpenMetrics requires in HELP ("invalid escape sequence")
 * and misreads {@code # TYPE x counter} followed by {@code x_total} as two families; protobuf it cannot
 * read at all. So OpenMetrics goes to the Python client's strict OpenMetrics parser instead (Debian
 * {@code python3-prometheus-client}), and must carry exactly the samples of the text scrape. Protobuf is
 * read by a real Prometheus in {@link PrometheusScrapeE2ETest}. Both scrapes escape the UTF-8 names pushed,
 * as scrapers that send no {@code escaping} parameter get them; the OpenMetrics one also carries a
 * {@code _created} sample, the series' start, after each counter and histogram series.
 */
class ExpositionLintE2ETest {
    private static final Duration PARSER_LIMIT = Duration.ofSeconds(20);

    @TempDir
    static Path workDir;

    private static RunningGateway gateway;
    private static double startSeconds;

    @BeforeAll
    static void pushEverything() throws Exception {
        startSeconds = System.currentTimeMillis() / 1000.0;
        gateway = new RunningGateway(); // own metrics on: they are part of every scrape
        push("text/plain; version=0.0.4", """
                # HELP lint_requests_total Requests, with a backslash \\\\ and a newline \\n in the help.
                # TYPE lint_requests_total counter
                lint_requests_total{path="/a \\"quoted\\" \\\\ value\\nwith a newline",city="Zürich 東京"} 3
                lint_requests_total{path="/b",city="Kraków"} 1
                # HELP lint_temperature_celsius Temperature in "degrees" (OpenMetrics escapes the quotes, text 0.0.4 does not).
                # TYPE lint_temperature_celsius gauge
                lint_temperature_celsius{room="küche"} -3.5
                # HELP lint_mystery Untyped: no TYPE line.
                lint_mystery{emoji="🙂"} 42
                # HELP lint_latency_seconds Latency.
                # TYPE lint_latency_seconds histogram
                lint_latency_seconds_bucket{le="0.05"} 1
                lint_latency_seconds_bucket{le="0.5"} 4
                lint_latency_seconds_bucket{le="+Inf"} 5
                lint_latency_seconds_sum 1.25
                lint_latency_seconds_count 5
                # HELP lint_payload_bytes A summary: discarded.
                # TYPE lint_payload_bytes summary
                lint_payload_bytes{quantile="0.5"} 100
                lint_payload_bytes_sum 300
                lint_payload_bytes_count 3
                # TYPE "lint.utf8_requests_total" counter
                {"lint.utf8_requests_total","http.method"="GET"} 2
                """);
        push(OpenMetricsRenderer.CONTENT_TYPE, """
                # TYPE lint_requests counter
                # HELP lint_requests Requests, with a backslash \\\\ and a newline \\n in the help.
                lint_requests_total{path="/b",city="Kraków"} 2
                lint_requests_created{path="/b",city="Kraków"} 1700000000
                # TYPE lint_latency_seconds histogram
                lint_latency_seconds_bucket{le="0.1"} 2
                lint_latency_seconds_bucket{le="1.0"} 3
                lint_latency_seconds_bucket{le="+Inf"} 3
                lint_latency_seconds_count 3
                lint_latency_seconds_sum 0.9
                # TYPE lint_queue_depth gauge
                # UNIT lint_queue_depth items
                lint_queue_depth 7
                # EOF
                """);
        push(ProtobufRenderer.CONTENT_TYPE, ProtoFamilies.delimited(
                ProtoFamilies.counter("lint_requests_total", "", 5, "path", "/c", "city", "São Paulo"),
                ProtoFamilies.histogram("lint_latency_seconds", 2, 3.5, 0.25, 1, 2.5, 2),
                ProtoFamilies.gauge("lint_queue_depth", -2)));
        HttpResponse<byte[]> rejected = gateway.pushText("/metrics/job/lint", "# TYPE lint_requests_total counter\nlint_requests_total -1\n");
        assertEquals(400, rejected.statusCode(), "a negative counter is refused, and counted among the gateway's own metrics");
    }

    @AfterAll
    static void stop() throws Exception {
        Closer.closeAll(gateway);
    }

    private static void push(String contentType, String body) throws Exception {
        push(contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void push(String contentType, byte[] body) throws Exception {
        HttpResponse<byte[]> response = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/lint"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
    }

    private static String scrape(String accept) throws Exception {
        HttpResponse<byte[]> response = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics")).header("Accept", accept));
        assertEquals(200, response.statusCode());
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void text004ScrapePassesPromtool() throws Exception {
        String exposition = scrape("text/plain;version=0.0.4");
        assertTrue(exposition.contains("lint_latency_seconds_bucket{"), exposition); // the pushes are in it

        String findings = Promtool.checkMetrics(exposition.getBytes(StandardCharsets.UTF_8));

        // lint findings are advice, but the gateway's own metrics should need none
        assertFalse(findings.contains("aggregation_gateway_"), findings);
    }

    @Test
    void openMetricsScrapeParsesWithTheReferenceParserAndMatchesTheTextScrape() throws Exception {
        Path exposition = workDir.resolve("scrape.om");
        Files.writeString(exposition, scrape("application/openmetrics-text;version=1.0.0"), StandardCharsets.UTF_8);

        String json = new SystemPython(workDir).run("openmetrics_samples.py", PARSER_LIMIT, exposition.toString());

        Map<?, ?> parsed = (Map<?, ?>) MiniJson.parse(json.strip());
        List<String> openMetricsSamples = new ArrayList<>();
        Map<String, Double> created = new TreeMap<>();
        List<String> withStart = new ArrayList<>();
        for (Object element : (List<?>) parsed.get("samples")) {
            List<?> sample = (List<?>) element;
            @SuppressWarnings("unchecked")
            Map<String, String> labels = (Map<String, String>) sample.get(1);
            Sample read = new Sample((String) sample.get(0), labels, Sample.parseValue((String) sample.get(2)));
            if (read.name().endsWith("_created")) {
                created.put(seriesKey(read, "_created"), read.value());
                continue;
            }
            openMetricsSamples.add(canonical(read));
            if (read.name().startsWith("lint_") && (read.name().endsWith("_total") || read.name().endsWith("_count"))) {
                withStart.add(seriesKey(read, read.name().endsWith("_total") ? "_total" : "_count"));
            }
        }
        List<String> textSamples = new TextScrape(scrape("text/plain;version=0.0.4")).samples().stream()
                .map(ExpositionLintE2ETest::canonical).toList();
        assertEquals(textSamples.stream().sorted().toList(), openMetricsSamples.stream().sorted().toList());
        assertTrue(textSamples.contains("lint_utf8_requests_total{http_method=GET, job=lint} 2.0"), textSamples::toString);
        // every pushed counter and histogram series has its start, from this run
        assertEquals(withStart.stream().sorted().toList(), created.keySet().stream().filter(k -> k.startsWith("lint_")).toList());
        double now = System.currentTimeMillis() / 1000.0;
        created.forEach((series, seconds) -> assertTrue(seconds >= Math.floor(startSeconds) && seconds <= now,
                () -> series + " started at " + seconds));
        List<?> families = (List<?>) parsed.get("families");
        assertTrue(families.contains(List.of("lint_requests", "counter",
                "Requests, with a backslash \\ and a newline \n in the help.")), () -> "families: " + families);
        assertTrue(families.contains(List.of("lint_temperature_celsius", "gauge",
                "Temperature in \"degrees\" (OpenMetrics escapes the quotes, text 0.0.4 does not).")), () -> "families: " + families);
    }

    /** The series a sample belongs to: its name without {@code suffix}, its labels. */
    private static String seriesKey(Sample sample, String suffix) {
        String name = sample.name();
        return name.substring(0, name.length() - suffix.length()) + new TreeMap<>(sample.labels());
    }

    /** One sample as a comparable line, {@code le} as a number: "1" (text) and "1.0" (OpenMetrics) are one bound. */
    private static String canonical(Sample sample) {
        Map<String, String> labels = new HashMap<>(sample.labels());
        if (labels.containsKey("le")) {
            labels.put("le", String.valueOf(sample.upperBound()));
        }
        return sample.name() + new TreeMap<>(labels) + " " + sample.value();
    }
}
