package io.aggregationgateway.server.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.config.Setting;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.selfmetrics.GatewayMetrics;
import io.aggregationgateway.server.selfmetrics.PushRates;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page and the JSON rendered from a real engine, without a server. */
class StatusPageTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final ObjectMapper JACKSON = new ObjectMapper();

    private final Clock clock = Clock.fixed(T0.plusSeconds(125), ZoneOffset.UTC);
    private final Aggregator aggregator = new Aggregator("aggregation_gateway_");
    private final GatewayMetrics metrics = new GatewayMetrics(aggregator::familyCount, aggregator::seriesCount, aggregator::storeBytes, Optional::empty, Optional::empty, clock);
    private final List<Setting> settings = List.of(new Setting("port", List.of("8080"), Setting.Source.DEFAULT, false),
            new Setting("some-password", List.of("hunter2"), Setting.Source.FLAG, true));

    private StatusReporter reporter(List<Supplier<Section>> features) {
        return new StatusReporter(new BuildInfo("1.2.3", "25"), clock, T0, settings, aggregator, metrics,
                new PushRates(clock, metrics::counts), new StatusReporter.Reset(Optional.empty(), Optional::empty, Optional::empty),
                features);
    }

    private void push(String path, String body) throws PushRejectedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        aggregator.push(new Push(GroupingPath.parse(path, false),
                new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4).parse(bytes, 0, bytes.length)));
    }

    private static String page(StatusReporter reporter) {
        return StatusPage.render("v1.2.3", reporter.page(), reporter.now());
    }

    @Test
    void aFeatureSectionAppearsOnThePageAndInTheStatusJsonOnlyWhenGiven() throws Exception {
        Supplier<Section> snapshots = () -> new Section("snapshots", "Snapshots", new Section.Facts(List.of(
                new Section.Fact("lastWrite", "Last snapshot", T0.plusSeconds(120)),
                new Section.Fact("sizeBytes", "Size", 4096L),
                new Section.Fact("failures", "Failures", 0L))));
        Supplier<Section> sources = () -> new Section("sources", "Live sources", new Section.Table(
                List.of(new Section.Column("family", "Family", Section.Style.CODE), Section.Column.of("sources", "Live sources")),
                List.of(Section.Row.of("jobs_total", 3L)), "No sources.", null));

        StatusReporter with = reporter(List.of(snapshots, sources));
        String html = page(with);
        assertTrue(html.contains("<section id=\"snapshots\"><h2>Snapshots</h2>"), html);
        assertTrue(html.contains("<dt>Last snapshot</dt><dd><time datetime=\"2026-12-01T10:02:00Z\">2026-12-01 10:02:00 UTC</time>"
                + " <span class=\"ago\">5 s ago</span></dd>"), html);
        assertTrue(html.contains("<td><code>jobs_total</code></td><td class=\"num\">3</td>"), html);
        assertTrue(html.contains("<a href=\"#sources\">Live sources</a>"), "in the navigation");
        JsonNode json = JACKSON.readTree(StatusJson.document(with.status()));
        assertEquals("2026-12-01T10:02:00Z", json.get("snapshots").get("lastWrite").asText());
        assertEquals(4096, json.get("snapshots").get("sizeBytes").asLong());
        assertEquals(3, json.get("sources").get(0).get("sources").asLong());
        List<String> order = iterable(json.fieldNames());
        assertEquals(List.of("gateway", "pushes", "rejectionReasons", "snapshots", "sources", "reset", "config"), order);

        StatusReporter without = reporter(List.of());
        assertFalse(page(without).contains("snapshots"));
        assertFalse(page(without).contains("Live sources"));
        assertEquals(List.of("gateway", "pushes", "rejectionReasons", "reset", "config"),
                iterable(JACKSON.readTree(StatusJson.document(without.status())).fieldNames()));
    }

    @Test
    void everythingThatCameFromAPushIsEscaped() throws Exception {
        push("/job/x", "# HELP hostile_total <script>alert(1)</script> & \"quotes\" 'too'\n# TYPE hostile_total counter\nhostile_total 1\n");
        metrics.recentRejections().record("10.0.0.1:5000", "POST /metrics/job/<img src=x onerror=alert(2)>", "text",
                new PushRejectedException(RejectionReason.MALFORMED, "line 1: label value \"</td></tr></table><script>alert(3)</script>\""));
        String html = page(reporter(List.of()));
        assertEquals(1, count(html, "<script"), "only the page's own script");
        assertFalse(html.contains("<img"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;"), html);
        assertTrue(html.contains("<code>POST /metrics/job/&lt;img src=x onerror=alert(2)&gt;</code>"), html);
        assertTrue(html.contains("&quot;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(3)&lt;/script&gt;&quot;"), html);
        assertEquals(count(html, "<table>"), count(html, "</table>"), "no table closed early");
    }

    @Test
    void secretsAreHiddenOnThePageAndInTheJson() throws Exception {
        StatusReporter reporter = reporter(List.of());
        assertFalse(page(reporter).contains("hunter2"));
        String json = StatusJson.document(reporter.status());
        assertFalse(json.contains("hunter2"));
        assertEquals(Setting.HIDDEN, JACKSON.readTree(json).get("config").get(1).get("value").asText());
    }

    @Test
    void theContentSecurityPolicyAllowsExactlyTheInlineStyleAndScript() throws Exception {
        String html = page(reporter(List.of()));
        String style = between(html, "<style>", "</style>");
        String script = between(html, "<script>", "</script>");
        String csp = StatusPage.CONTENT_SECURITY_POLICY;
        assertTrue(csp.contains("style-src '" + sha256(style) + "'"), csp);
        assertTrue(csp.contains("script-src '" + sha256(script) + "'"), csp);
        assertTrue(csp.startsWith("default-src 'none';"), csp);
    }

    @Test
    void familiesListTheirDeleteActionAndThePageCapsTheirNumber() throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < StatusReporter.PAGE_FAMILY_LIMIT + 5; i++) {
            body.append("f").append(String.format("%05d", i)).append(" 1\n");
        }
        push("/job/x", body.toString());
        StatusReporter reporter = reporter(List.of());
        Section.Table shown = (Section.Table) reporter.page().get(1).content();
        assertEquals(StatusReporter.PAGE_FAMILY_LIMIT, shown.rows().size());
        assertEquals("Showing the first 1,000 of 1,005 families; GET api/v1/families lists all.", shown.note());
        assertEquals(new Section.Action("Delete", "DELETE", "api/v1/families/f00000", "Delete family f00000 and its 1 series?"),
                shown.rows().get(0).actions().get(0));
        assertEquals(1005, ((Section.Table) reporter.families(Integer.MAX_VALUE).content()).rows().size());
        assertTrue(page(reporter).contains("<button type=\"button\" class=\"danger\" data-method=\"DELETE\" "
                + "data-path=\"api/v1/families/f00000\" data-confirm=\"Delete family f00000 and its 1 series?\">Delete</button>"));
    }

    @Test
    void valuesAreFormattedForReading() {
        assertEquals("42 s", StatusPage.human(Duration.ofSeconds(42)));
        assertEquals("3 min 20 s", StatusPage.human(Duration.ofSeconds(200)));
        assertEquals("2 h", StatusPage.human(Duration.ofHours(2)));
        assertEquals("5 h 2 min", StatusPage.human(Duration.ofMinutes(302)));
        assertEquals("3 d 4 h", StatusPage.human(Duration.ofHours(76)));
        assertEquals("just now", StatusPage.relative(T0, T0.plusMillis(300)));
        assertEquals("in 1 min 5 s", StatusPage.relative(T0.plusSeconds(65), T0));
        assertEquals("2 min ago", StatusPage.relative(T0, T0.plusSeconds(120)));
        assertEquals("0", StatusPage.rate(0));
        assertEquals("<0.01", StatusPage.rate(0.004));
        assertEquals("12.35", StatusPage.rate(12.345));
        assertEquals("1,235", StatusPage.rate(1234.5));
    }

    @Test
    void sectionsRefuseMalformedParts() {
        Section.Facts none = new Section.Facts(List.of());
        assertThrows(IllegalArgumentException.class, () -> new Section("Not-camel", "x", none));
        assertThrows(IllegalArgumentException.class, () -> new Section.Fact("k", "K", new Object()));
        assertThrows(IllegalArgumentException.class, () -> new Section.Table(List.of(Section.Column.of("a", "A")),
                List.of(Section.Row.of(1L, 2L)), "", null));
        assertThrows(IllegalArgumentException.class, () -> new Section.Action("x", "DELETE", "/absolute", "?"));
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new java.util.ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static String between(String text, String start, String end) {
        Matcher m = Pattern.compile(Pattern.quote(start) + "(.*?)" + Pattern.quote(end), Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), start);
        return m.group(1);
    }

    private static String sha256(String text) throws Exception {
        return "sha256-" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
