package io.aggregationgateway.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aggregationgateway.server.aggregate.FamilySummary;
import io.aggregationgateway.testsupport.RequiredExecutable;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The status page in a real browser: Debian's Chromium, driven by playwright-core from npm
 * (installed into {@code target/browser-test} on first use), loads the page from a gateway with
 * pushes and rejections in it, reads what it shows, takes {@code target/status-page.png} (CI keeps
 * it), then deletes a family with its button and a grouping key with the form.
 */
class StatusPageBrowserTest {
    private static final Path WORK = Path.of("target", "browser-test").toAbsolutePath();
    private static final Path SCREENSHOT = Path.of("target", "status-page.png").toAbsolutePath();
    private static final Duration INSTALL_LIMIT = Duration.ofMinutes(5);
    private static final Duration RUN_LIMIT = Duration.ofMinutes(2);
    private static final String NODE = "/usr/bin/node";
    private static final String NPM = "/usr/bin/npm";

    @Test
    void thePageShowsWhatTheGatewayHoldsAndItsButtonsDelete() throws Exception {
        RequiredExecutable.require("/usr/bin/chromium", "chromium");
        RequiredExecutable.require(NODE, "nodejs");
        RequiredExecutable.require(NPM, "npm");
        installPlaywright();

        try (RunningGateway gateway = new RunningGateway("--reset-cron", "0 3 * * *", "--cors-origin", "https://shop.example",
                "--series-ttl", "30m")) {
            assertEquals(200, gateway.pushText("/metrics/job/checkout/zone/eu", """
                    # HELP checkout_orders_total Orders placed, by payment status.
                    # TYPE checkout_orders_total counter
                    checkout_orders_total{status="paid"} 41
                    checkout_orders_total{status="failed"} 2
                    # HELP checkout_latency_seconds Time to place an order.
                    # TYPE checkout_latency_seconds histogram
                    checkout_latency_seconds_bucket{le="0.1"} 30
                    checkout_latency_seconds_bucket{le="0.5"} 41
                    checkout_latency_seconds_bucket{le="+Inf"} 43
                    checkout_latency_seconds_sum 9.2
                    checkout_latency_seconds_count 43
                    """).statusCode());
            assertEquals(200, gateway.pushText("/metrics/job/web", """
                    # HELP stale_sessions Sessions nobody closed.
                    # TYPE stale_sessions gauge
                    stale_sessions{app="shop"} 4
                    stale_sessions{app="admin"} 1
                    # HELP hostile_help <script>alert("help")</script> <img src=x onerror=alert(1)>
                    # TYPE hostile_help gauge
                    hostile_help 1
                    """).statusCode());
            assertEquals(200, gateway.pushText("/metrics/job/batch/instance/7", "# TYPE batch_rows_total counter\nbatch_rows_total 1200\n")
                    .statusCode());
            assertEquals(400, gateway.pushText("/metrics/job/checkout", "checkout_orders_total{status=\"paid\" 1\n").statusCode());
            assertEquals(400, gateway.pushText("/metrics/job/web", "# TYPE stale_sessions counter\nstale_sessions 1\n").statusCode());
            assertEquals(400, gateway.pushText("/metrics/job/%3Cimg%20src=x%20onerror=alert(2)%3E", "x{\n").statusCode());

            JsonNode seen = runPage(gateway, "stale_sessions", "job/batch");

            assertEquals(200, seen.get("status").asInt());
            assertEquals(List.of(), texts(seen.get("dialogs"), "alert"), "no script from a push ran");
            assertEquals(0, seen.get("pageErrors").size(), seen.get("pageErrors").toString());
            assertEquals(0, seen.get("consoleErrors").size(), "no CSP violation or script error: " + seen.get("consoleErrors"));
            assertEquals(0, seen.get("requestsElsewhere").size(), "no external assets: " + seen.get("requestsElsewhere"));

            JsonNode before = seen.get("before");
            assertEquals("Aggregation Gateway status", before.get("title").asText());
            assertEquals("v" + System.getProperty("project.version"), before.get("version").asText());
            assertEquals(1, before.get("scripts").asInt(), "the page's own script only");
            assertEquals(0, before.get("images").asInt(), "the pushed <img> is text");
            assertEquals(List.of("batch_rows_total", "checkout_latency_seconds", "checkout_orders_total", "hostile_help",
                    "stale_sessions"), names(before.get("families")));
            JsonNode orders = family(before, "checkout_orders_total");
            assertEquals("counter", orders.get("type").asText());
            assertEquals("2", orders.get("series").asText());
            assertEquals("Orders placed, by payment status.", orders.get("help").asText());
            assertEquals("<script>alert(\"help\")</script> <img src=x onerror=alert(1)>", family(before, "hostile_help").get("help").asText(),
                    "shown as the text it is");
            assertEquals("5", before.get("facts").get("families").asText());
            assertEquals("3", before.get("facts").get("pushesAccepted").asText());
            assertEquals("3", before.get("facts").get("pushesRejected").asText());
            assertTrue(before.get("nextReset").asText().matches("(?s)\\d{4}-\\d\\d-\\d\\d 03:00:00 UTC\\s+in .*"), before.get("nextReset").asText());

            JsonNode rejections = before.get("rejections");
            assertEquals(3, rejections.size());
            assertEquals("POST /metrics/job/<img src=x onerror=alert(2)>", rejections.get(0).get("route").asText());
            assertEquals("type_conflict", rejections.get(1).get("reason").asText());
            assertEquals("family stale_sessions: pushed as counter but the gateway holds it as gauge",
                    rejections.get(1).get("message").asText());
            assertEquals("malformed", rejections.get(2).get("reason").asText());
            assertEquals("text", rejections.get(2).get("format").asText());
            assertTrue(rejections.get(2).get("client").asText().matches("127\\.0\\.0\\.1:\\d+"));
            assertTrue(rejections.get(2).get("message").asText().startsWith("line 1: "), rejections.get(2).toString());

            assertEquals(List.of("Delete family stale_sessions and its 2 series?"), texts(seen.get("dialogs"), "confirm").subList(0, 1));
            JsonNode afterFamily = seen.get("afterFamilyDelete");
            assertFalse(names(afterFamily.get("families")).contains("stale_sessions"));
            assertEquals("deleted family stale_sessions: 2 series", afterFamily.get("actionResult").get("text").asText());
            assertEquals("ok", afterFamily.get("actionResult").get("kind").asText());

            assertEquals("Delete every series carrying the grouping key job/batch?", texts(seen.get("dialogs"), "confirm").get(1));
            JsonNode afterGroup = seen.get("afterGroupDelete");
            assertEquals(List.of("checkout_latency_seconds", "checkout_orders_total", "hostile_help"), names(afterGroup.get("families")));
            assertEquals("ok", afterGroup.get("actionResult").get("kind").asText());
            assertTrue(afterGroup.get("actionResult").get("text").asText().contains("job=\"batch\""),
                    afterGroup.get("actionResult").toString());
            assertEquals(List.of("checkout_latency_seconds", "checkout_orders_total", "hostile_help"),
                    gateway.aggregator.familySummaries().stream().map(FamilySummary::name).toList(), "the engine agrees");
            assertTrue(Files.size(SCREENSHOT) > 10_000, "a screenshot at " + SCREENSHOT);
        }
    }

    private static JsonNode runPage(RunningGateway gateway, String family, String group) throws Exception {
        Path profile = Files.createTempDirectory(WORK, "profile-"); // a fresh browser profile every run
        Files.deleteIfExists(SCREENSHOT);
        String base = "http://127.0.0.1:" + gateway.port();
        String output = run(List.of(NODE, WORK.resolve("status-page.mjs").toString(), base, SCREENSHOT.toString(),
                profile.toString(), family, group), RUN_LIMIT, true);
        String json = output.lines().filter(line -> line.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("status-page.mjs printed no result:\n" + output));
        return new ObjectMapper().readTree(json);
    }

    /** Copies package.json and the script into target/browser-test; installs playwright-core there unless it is. */
    private static void installPlaywright() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "status-page.mjs")) {
            try (InputStream resource = StatusPageBrowserTest.class.getResourceAsStream("/browser/" + file)) {
                Files.copy(resource, WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String wanted = new ObjectMapper().readTree(WORK.resolve("package.json").toFile()).get("dependencies")
                .get("playwright-core").asText();
        Path installed = WORK.resolve("node_modules/playwright-core/package.json");
        if (Files.exists(installed) && new ObjectMapper().readTree(installed.toFile()).get("version").asText().equals(wanted)) {
            return;
        }
        String output = run(List.of(NPM, "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"),
                INSTALL_LIMIT, false);
        if (!Files.exists(installed)) {
            RequiredExecutable.unavailable("npm could not install playwright-core " + wanted + ":\n" + output);
        }
    }

    /** Runs {@code command} in {@link #WORK}; with {@code mustSucceed}, a non-zero exit fails the test. */
    private static String run(List<String> command, Duration limit, boolean mustSucceed) throws IOException, InterruptedException {
        Path output = Files.createTempFile(WORK, "run-", ".out");
        Process process = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(String.join(" ", command) + " did not finish within " + limit + ":\n" + Files.readString(output));
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (mustSucceed && process.exitValue() != 0) {
                fail(String.join(" ", command) + " exited " + process.exitValue() + ":\n" + printed);
            }
            return printed;
        } finally {
            process.destroyForcibly(); // no-op once it has exited
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static List<String> names(JsonNode families) {
        List<String> names = new ArrayList<>();
        families.forEach(family -> names.add(family.get("name").asText()));
        return names;
    }

    private static JsonNode family(JsonNode view, String name) {
        for (JsonNode family : view.get("families")) {
            if (family.get("name").asText().equals(name)) {
                return family;
            }
        }
        throw new AssertionError("no family " + name + " on the page: " + view.get("families"));
    }

    private static List<String> texts(JsonNode dialogs, String type) {
        List<String> messages = new ArrayList<>();
        dialogs.forEach(dialog -> {
            if (dialog.get("type").asText().equals(type)) {
                messages.add(dialog.get("message").asText());
            }
        });
        return messages;
    }
}
