package io.aggregationgateway.server.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.EngineSettings;
import io.aggregationgateway.server.aggregate.SourceSettings;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sources' two status sections, from a real engine: the JSON an operator's tooling reads, and the page. */
class SourcesSectionTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static final SourceSettings SETTINGS = new SourceSettings(List.of("instance"), Duration.ofMinutes(10), 5000);

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Aggregator aggregator = new Aggregator(EngineSettings.unlimited(""),
            GaugeModes.parse(List.of(".*_celsius=max")), SETTINGS, now::get);

    private void push(String instance, String body) throws PushRejectedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        aggregator.push(new Push(GroupingPath.parse("/job/api/instance/" + instance, false),
                new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4).parse(bytes, 0, bytes.length)));
    }

    private JsonNode json() throws Exception {
        return JACKSON.readTree(StatusJson.document(SourcesSection.of(aggregator, SETTINGS).stream().map(Supplier::get).toList()));
    }

    @Test
    void liveSourcesTheirStatesTtlExpiriesRestartsAndEachFamilysGaugeMode() throws Exception {
        JsonNode empty = json();
        assertEquals(0, empty.get("sources").get("live").asLong());
        assertEquals(0, empty.get("sourceFamilies").size());

        push("a", "# TYPE jobs_total counter\njobs_total{k=\"1\"} 5\njobs_total{k=\"2\"} 1\n# TYPE room_celsius gauge\nroom_celsius 20\n");
        push("b", "# TYPE jobs_total counter\njobs_total{k=\"1\"} 3\n# TYPE queue gauge\nqueue 4\n");
        push("b", "# TYPE jobs_total counter\njobs_total{k=\"1\"} 1\n"); // a restart
        now.addAndGet(Duration.ofMinutes(9).toMillis());
        push("c", "# TYPE queue gauge\nqueue 4\n");
        now.addAndGet(Duration.ofMinutes(2).toMillis());
        aggregator.expireSources(); // a and b were silent for 11 minutes

        JsonNode summary = json().get("sources");
        assertEquals("instance", summary.get("sourceLabels").asText());
        assertEquals(1, summary.get("live").asLong());
        assertEquals(1, summary.get("states").asLong());
        assertEquals(5000, summary.get("maxStates").asLong());
        assertEquals(600, summary.get("ttlSeconds").asLong());
        assertEquals(2, summary.get("expired").asLong());
        assertEquals(1, summary.get("restarts").asLong());

        push("a", "# TYPE jobs_total counter\njobs_total{k=\"1\"} 6\n# TYPE room_celsius gauge\nroom_celsius 21\n");
        push("d", "# TYPE room_celsius gauge\nroom_celsius 19\n");
        assertEquals("""
                [{"family":"jobs_total","type":"counter","gaugeMode":null,"sources":1,"states":1},\
                {"family":"queue","type":"gauge","gaugeMode":"sum","sources":1,"states":1},\
                {"family":"room_celsius","type":"gauge","gaugeMode":"max","sources":2,"states":2}]""",
                json().get("sourceFamilies").toString());
    }

    @Test
    void thePageShowsBothSectionsAndATtlOfZeroAsKeptForEver() throws Exception {
        SourceSettings forever = new SourceSettings(List.of("instance", "pod"), Duration.ZERO, 10);
        push("a", "# TYPE jobs_total counter\njobs_total 5\n");
        List<Section> sections = SourcesSection.of(aggregator, forever).stream().map(Supplier::get).toList();
        String html = StatusPage.render("v1", sections, Instant.now());
        assertTrue(html.contains("<section id=\"sources\"><h2>Sources</h2>"), html);
        assertTrue(html.contains("<section id=\"sourceFamilies\"><h2>Families from sources<span class=\"count\">1</span></h2>"), html);
        assertTrue(html.contains("<td><code>jobs_total</code></td>"), html);
        JsonNode summary = JACKSON.readTree(StatusJson.document(sections)).get("sources");
        assertTrue(summary.get("ttlSeconds").isNull(), "no TTL: kept until deleted");
        assertEquals("instance, pod", summary.get("sourceLabels").asText());
    }
}
