package io.aggregationgateway.server.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.server.selfmetrics.RecentRejections;
import io.aggregationgateway.server.support.RunningGateway;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static com.fasterxml.jackson.databind.node.JsonNodeType.ARRAY;
import static com.fasterxml.jackson.databind.node.JsonNodeType.NULL;
import static com.fasterxml.jackson.databind.node.JsonNodeType.NUMBER;
import static com.fasterxml.jackson.databind.node.JsonNodeType.OBJECT;
import static com.fasterxml.jackson.databind.node.JsonNodeType.STRING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status routes through the real server: the JSON contract (exact fields and types), the page, and deleting. */
class StatusApiTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();
    /** Everything a label value or HELP text can carry that could break out of JSON or HTML. */
    private static final String HOSTILE = "q\"uote \\ </script><script>alert(1)</script> & \u2028 \u0007\u0000\u001f end";

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    private RunningGateway gateway(String... flags) {
        RunningGateway gateway = new RunningGateway(flags);
        open.add(gateway);
        return gateway;
    }

    private AggregationGatewayGrpc.AggregationGatewayBlockingStub grpc(RunningGateway gateway) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
        open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return AggregationGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static PushRequest counter(String name, String help, double value, String labelValue) {
        return PushRequest.newBuilder().putGroupingLabels("job", "grpc").addFamilies(MetricFamily.newBuilder()
                .setName(name).setHelp(help).setType(MetricType.COUNTER).addMetric(Metric.newBuilder()
                        .addLabel(LabelPair.newBuilder().setName("v").setValue(labelValue))
                        .setCounter(Counter.newBuilder().setValue(value)))).build();
    }

    private static JsonNode getJson(RunningGateway gateway, String path) throws Exception {
        HttpResponse<byte[]> response = gateway.send(HttpRequest.newBuilder(gateway.uri(path)));
        assertEquals(200, response.statusCode(), path);
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        return JACKSON.readTree(response.body());
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @SafeVarargs
    private static Map<String, Set<JsonNodeType>> shape(Map.Entry<String, Set<JsonNodeType>>... fields) {
        Map<String, Set<JsonNodeType>> shape = new LinkedHashMap<>();
        for (Map.Entry<String, Set<JsonNodeType>> field : fields) {
            shape.put(field.getKey(), field.getValue());
        }
        return shape;
    }

    private static Map.Entry<String, Set<JsonNodeType>> field(String name, JsonNodeType... types) {
        return Map.entry(name, Set.of(types));
    }

    /** Exactly these members, in this order, each of one of its types. */
    private static void assertShape(JsonNode node, Map<String, Set<JsonNodeType>> shape) {
        assertEquals(OBJECT, node.getNodeType(), node.toString());
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        assertEquals(List.copyOf(shape.keySet()), names, node.toString());
        shape.forEach((name, types) -> assertTrue(types.contains(node.get(name).getNodeType()),
                name + " is " + node.get(name).getNodeType() + " in " + node));
    }

    private static void assertEveryElement(JsonNode array, Map<String, Set<JsonNodeType>> shape) {
        assertEquals(ARRAY, array.getNodeType(), array.toString());
        assertFalse(array.isEmpty(), "no elements to check");
        array.forEach(element -> assertShape(element, shape));
    }

    @Test
    void statusJsonHasExactlyTheDocumentedFieldsAndTypes() throws Exception {
        RunningGateway gateway = gateway("--reset-cron", "0 0 1 1 *", "--series-ttl", "1h");
        assertEquals(200, gateway.pushText("/metrics/job/a", "# TYPE jobs_total counter\njobs_total 3\n").statusCode());
        assertEquals(400, gateway.pushText("/metrics/job/a", "jobs_total{\n").statusCode());
        assertThrows(StatusRuntimeException.class, () -> grpc(gateway).push(counter("bad_total", "", -1, "x")));

        JsonNode status = getJson(gateway, "/api/v1/status");
        assertEquals(List.of("gateway", "pushes", "rejectionReasons", "reset", "config"), names(status));
        JsonNode about = status.get("gateway");
        assertShape(about, shape(field("version", STRING), field("javaVersion", STRING), field("startedAt", STRING),
                field("uptimeSeconds", NUMBER), field("now", STRING), field("families", NUMBER), field("series", NUMBER),
                field("pushesAccepted", NUMBER), field("pushesRejected", NUMBER), field("rateWindowSeconds", NUMBER)));
        assertEquals(System.getProperty("project.version"), about.get("version").asText(), "the Maven project version");
        assertNotNull(System.getProperty("project.version"));
        assertEquals(Runtime.version().toString(), about.get("javaVersion").asText());
        assertTrue(Instant.parse(about.get("startedAt").asText()).isBefore(Instant.parse(about.get("now").asText()).plusMillis(1)));
        assertEquals(1, about.get("families").asLong());
        assertEquals(1, about.get("series").asLong());
        assertEquals(1, about.get("pushesAccepted").asLong());
        assertEquals(2, about.get("pushesRejected").asLong());

        assertEveryElement(status.get("pushes"), shape(field("format", STRING), field("accepted", NUMBER),
                field("rejected", NUMBER), field("acceptedPerMinute", NUMBER, NULL), field("rejectedPerMinute", NUMBER, NULL)));
        assertEquals("grpc", status.get("pushes").get(0).get("format").asText());
        assertEquals(0, status.get("pushes").get(0).get("accepted").asLong());
        assertEquals(1, status.get("pushes").get(0).get("rejected").asLong());
        assertEquals("text", status.get("pushes").get(1).get("format").asText());
        assertEquals(1, status.get("pushes").get(1).get("accepted").asLong());
        assertEquals(1, status.get("pushes").get(1).get("rejected").asLong());

        assertEveryElement(status.get("rejectionReasons"), shape(field("reason", STRING), field("rejected", NUMBER),
                field("perMinute", NUMBER, NULL)));
        assertEquals("invalid_value", status.get("rejectionReasons").get(0).get("reason").asText());
        assertEquals("malformed", status.get("rejectionReasons").get(1).get("reason").asText());

        JsonNode reset = status.get("reset");
        assertShape(reset, shape(field("schedule", STRING, NULL), field("timezone", STRING, NULL),
                field("lastReset", STRING, NULL), field("nextReset", STRING, NULL)));
        assertEquals("0 0 1 1 *", reset.get("schedule").asText());
        assertEquals("UTC", reset.get("timezone").asText());
        assertTrue(reset.get("lastReset").isNull());
        assertTrue(Instant.parse(reset.get("nextReset").asText()).isAfter(Instant.now()));

        JsonNode config = status.get("config");
        assertEveryElement(config, shape(field("name", STRING), field("value", STRING, NULL), field("source", STRING)));
        Map<String, JsonNode> settings = new LinkedHashMap<>();
        config.forEach(setting -> settings.put(setting.get("name").asText(), setting));
        assertEquals("1h", settings.get("series-ttl").get("value").asText());
        assertEquals("flag", settings.get("series-ttl").get("source").asText());
        assertEquals("default", settings.get("max-series").get("source").asText());
        assertTrue(settings.get("cors-origin").get("value").isNull(), "unset");
    }

    @Test
    void withAPersistenceFileTheStatusHasASnapshotsSectionBeforeTheResetSchedule(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("state.snap");
        RunningGateway first = new RunningGateway("--persistence-file", file.toString(), "--persistence-interval", "1h");
        assertEquals(200, first.pushText("/metrics/job/a", "# TYPE jobs_total counter\njobs_total 3\n").statusCode());
        JsonNode before = getJson(first, "/api/v1/status");
        assertEquals(List.of("gateway", "pushes", "rejectionReasons", "snapshots", "reset", "config"), names(before));
        assertTrue(before.get("snapshots").get("lastSnapshot").isNull(), "none written yet");
        assertTrue(before.get("snapshots").get("loadedTakenAt").isNull(), "nothing loaded");
        first.close(); // writes the last snapshot

        RunningGateway gateway = gateway("--persistence-file", file.toString(), "--persistence-interval", "1h");
        JsonNode snapshots = getJson(gateway, "/api/v1/status").get("snapshots");
        assertShape(snapshots, shape(field("file", STRING), field("interval", NUMBER), field("loadedTakenAt", STRING, NULL),
                field("loadedSeries", NUMBER, NULL), field("lastSnapshot", STRING, NULL), field("lastDuration", NUMBER, NULL),
                field("lastBytes", NUMBER, NULL), field("lastSeries", NUMBER, NULL), field("written", NUMBER),
                field("failed", NUMBER), field("lastFailureAt", STRING, NULL), field("lastFailure", STRING, NULL)));
        assertEquals(file.toAbsolutePath().toString(), snapshots.get("file").asText());
        assertEquals(3600, snapshots.get("interval").asDouble());
        assertEquals(1, snapshots.get("loadedSeries").asLong());
        Instant.parse(snapshots.get("loadedTakenAt").asText());
        assertEquals(0, snapshots.get("written").asLong());
        assertTrue(body(gateway.send(HttpRequest.newBuilder(gateway.uri("/status")))).contains("Snapshots"));
    }

    @Test
    void familiesJsonListsEachFamilyAndCarriesHostileHelpExactly() throws Exception {
        RunningGateway gateway = gateway();
        Instant before = Instant.now().minusMillis(1);
        grpc(gateway).push(counter("hostile_total", HOSTILE, 2, HOSTILE));
        gateway.pushText("/metrics/job/a", "# TYPE temp gauge\ntemp{room=\"1\"} 3\ntemp{room=\"2\"} 4\n");

        JsonNode families = getJson(gateway, "/api/v1/families");
        assertEquals(List.of("families"), names(families));
        assertEveryElement(families.get("families"), shape(field("name", STRING), field("type", STRING), field("series", NUMBER),
                field("lastPush", STRING), field("help", STRING)));
        JsonNode hostile = families.get("families").get(0);
        assertEquals("hostile_total", hostile.get("name").asText());
        assertEquals("counter", hostile.get("type").asText());
        assertEquals(1, hostile.get("series").asLong());
        assertEquals(HOSTILE, hostile.get("help").asText(), "byte for byte what was pushed");
        assertTrue(Instant.parse(hostile.get("lastPush").asText()).isAfter(before));
        assertEquals("temp", families.get("families").get(1).get("name").asText());
        assertEquals(2, families.get("families").get(1).get("series").asLong());
        String raw = body(gateway.send(HttpRequest.newBuilder(gateway.uri("/api/v1/families"))));
        assertFalse(raw.contains("</script>") || raw.contains("\u0007") || raw.contains("\u2028"), raw);
    }

    @Test
    void rejectionsFromHttpAndGrpcAreRecordedWithWhoWhereAndWhy() throws Exception {
        RunningGateway gateway = gateway();
        String hostileLabel = HOSTILE.replace("\\", "\\\\").replace("\"", "\\\"").replace("\u0000", "");
        HttpResponse<byte[]> duplicate = gateway.pushText("/metrics/job/web", "x{v=\"" + hostileLabel + "\"} 1\nx{v=\""
                + hostileLabel + "\"} 2\n");
        assertEquals(400, duplicate.statusCode());
        StatusRuntimeException negative = assertThrows(StatusRuntimeException.class,
                () -> grpc(gateway).push(counter("bad_total", "", -1, "x")));

        JsonNode answer = getJson(gateway, "/api/v1/rejections");
        assertEquals(List.of("rejectionLog", "recentRejections"), names(answer));
        assertShape(answer.get("rejectionLog"), shape(field("recorded", NUMBER), field("capacity", NUMBER)));
        assertEquals(2, answer.get("rejectionLog").get("recorded").asLong());
        assertEquals(RecentRejections.CAPACITY, answer.get("rejectionLog").get("capacity").asInt());
        JsonNode rejections = answer.get("recentRejections");
        assertEveryElement(rejections, shape(field("time", STRING), field("client", STRING), field("route", STRING),
                field("format", STRING), field("reason", STRING), field("message", STRING)));
        assertEquals(2, rejections.size());

        JsonNode grpc = rejections.get(0); // newest first
        assertTrue(grpc.get("client").asText().matches("127\\.0\\.0\\.1:\\d+"), grpc.toString());
        assertEquals("aggregationgateway.v1.AggregationGateway/Push", grpc.get("route").asText());
        assertEquals("grpc", grpc.get("format").asText());
        assertEquals("invalid_value", grpc.get("reason").asText());
        assertEquals(negative.getStatus().getDescription(), grpc.get("message").asText());

        JsonNode http = rejections.get(1);
        assertTrue(http.get("client").asText().matches("127\\.0\\.0\\.1:\\d+"), http.toString());
        assertEquals("POST /metrics/job/web", http.get("route").asText());
        assertEquals("text", http.get("format").asText());
        assertEquals("duplicate_series", http.get("reason").asText());
        assertEquals(body(duplicate).strip(), http.get("message").asText(), "what the sender was told, exactly");
        assertTrue(http.get("message").asText().contains("</script>"), "the hostile label value is in the message");
        assertTrue(Instant.parse(http.get("time").asText()).isBefore(Instant.parse(grpc.get("time").asText()).plusMillis(1)));
    }

    @Test
    void aPushFromAnOriginNotAllowedIsInTheRejectionLog() throws Exception {
        RunningGateway gateway = gateway("--cors-origin", "https://app.example");
        HttpResponse<byte[]> stranger = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/web"))
                .header("Origin", "https://evil.example").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("x_total 1\n")));
        assertEquals(403, stranger.statusCode());

        JsonNode answer = getJson(gateway, "/api/v1/rejections");
        assertEquals(1, answer.get("rejectionLog").get("recorded").asLong());
        JsonNode rejection = answer.get("recentRejections").get(0);
        assertEquals("POST /metrics/job/web", rejection.get("route").asText());
        assertEquals("origin_not_allowed", rejection.get("reason").asText());
        assertEquals(body(stranger).strip(), rejection.get("message").asText(), "what the sender was told, exactly");
    }

    @Test
    void aFloodOfRejectionsKeepsTheNewestHundredAndCountsThemAll() throws Exception {
        RunningGateway gateway = gateway("--max-body-bytes", "100");
        int flood = 160;
        for (int i = 0; i < flood - 1; i++) {
            assertEquals(400, gateway.pushText("/metrics/job/flood-" + i, "bad{\n").statusCode());
        }
        // decoded over the limit: the push handler refuses it (a Content-Length over it Helidon refuses before routing)
        java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(gzipped)) {
            gzip.write(("x 1\n" + "#".repeat(1000)).getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(413, gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/flood")).header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray()))).statusCode());
        JsonNode answer = getJson(gateway, "/api/v1/rejections");
        assertEquals(flood, answer.get("rejectionLog").get("recorded").asLong());
        JsonNode rejections = answer.get("recentRejections");
        assertEquals(RecentRejections.CAPACITY, rejections.size());
        assertEquals("too_large", rejections.get(0).get("reason").asText());
        assertEquals("POST /metrics/job/flood-158", rejections.get(1).get("route").asText());
        assertEquals("POST /metrics/job/flood-60", rejections.get(99).get("route").asText());
        assertEquals(flood, getJson(gateway, "/api/v1/status").get("gateway").get("pushesRejected").asLong(),
                "the ring records every rejection the counters count");
    }

    @Test
    void deletingAFamilyThroughTheAdminRoute() throws Exception {
        RunningGateway gateway = gateway("--self-metrics", "false");
        gateway.pushText("/metrics/job/a", "# TYPE gone_total counter\ngone_total{i=\"1\"} 1\ngone_total{i=\"2\"} 1\n# TYPE kept gauge\nkept 1\n");
        HttpResponse<byte[]> deleted = gateway.send(HttpRequest.newBuilder(gateway.uri("/api/v1/families/gone_total")).DELETE());
        assertEquals(200, deleted.statusCode());
        assertEquals("deleted family gone_total: 2 series\n", body(deleted));
        assertEquals("# TYPE kept gauge\nkept{job=\"a\"} 1\n", gateway.scrape());
        assertEquals(1, getJson(gateway, "/api/v1/families").get("families").size());
        HttpResponse<byte[]> again = gateway.send(HttpRequest.newBuilder(gateway.uri("/api/v1/families/gone_total")).DELETE());
        assertEquals(404, again.statusCode());
        assertEquals("no family named gone_total holds any series\n", body(again));
    }

    @Test
    void thePageIsServedAtRootAndStatusWithItsSecurityHeaders() throws Exception {
        RunningGateway gateway = gateway();
        grpc(gateway).push(counter("hostile_total", HOSTILE, 2, "x"));
        gateway.pushText("/metrics/job/%3Cimg%20src=x%20onerror=alert(1)%3E", "x{\n");
        for (String path : List.of("/", "/status")) {
            HttpResponse<byte[]> page = gateway.send(HttpRequest.newBuilder(gateway.uri(path)));
            assertEquals(200, page.statusCode());
            assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(StatusPage.CONTENT_SECURITY_POLICY, page.headers().firstValue("Content-Security-Policy").orElseThrow());
            assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
            assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
            String html = body(page);
            assertTrue(html.contains("<code>hostile_total</code>"), html);
            assertTrue(html.contains("v" + System.getProperty("project.version")), "the version in the header");
            assertTrue(html.contains("POST /metrics/job/&lt;img src=x onerror=alert(1)&gt;"), "the route, escaped");
            assertFalse(html.contains("<img"), html);
            assertEquals(html.indexOf("<script"), html.lastIndexOf("<script"), "only the page's own script");
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
