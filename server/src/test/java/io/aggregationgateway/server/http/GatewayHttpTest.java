package io.aggregationgateway.server.http;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.expose.RenderWorkers;
import io.aggregationgateway.server.selfmetrics.GatewayMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webclient.api.ClientResponseTyped;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end through a real server on a random port. */
@ServerTest
class GatewayHttpTest {
    // One engine for the class's server; emptied before each test.
    private static final Aggregator AGGREGATOR = new Aggregator("aggregation_gateway_");
    // Scrapes here are small, a slice or two; LargeScrapeTest covers many slices over helpers.
    private static final RenderWorkers RENDER_WORKERS = RenderWorkers.start(2);

    private final Http1Client client;
    private final URI uri;

    GatewayHttpTest(Http1Client client, URI uri) {
        this.client = client;
        this.uri = uri;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Routes.register(routing, AGGREGATOR, new GatewayMetrics(AGGREGATOR::familyCount, AGGREGATOR::seriesCount, AGGREGATOR::storeBytes, Optional::empty, Optional::empty),
                new HttpSettings(1024 * 1024, List.of(), false, false), RENDER_WORKERS);
    }

    @BeforeEach
    void emptyStore() {
        AGGREGATOR.reset();
    }

    private ClientResponseTyped<String> push(Method method, String path, String body) {
        return client.method(method).path(path).header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4")
                .submit(body, String.class);
    }

    private String scrape() {
        ClientResponseTyped<String> res = client.get("/metrics").request(String.class);
        assertEquals(Status.OK_200, res.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", res.headers().first(HeaderNames.CONTENT_TYPE).orElseThrow());
        return res.entity();
    }

    @Test
    void postAndPutAddUpAndScrapeShowsTheSum() {
        assertEquals(Status.OK_200, push(Method.POST, "/metrics/job/web", "# TYPE hits_total counter\nhits_total 2\n").status());
        assertEquals(Status.OK_200, push(Method.PUT, "/metrics/job/web", "# TYPE hits_total counter\nhits_total 3\n").status());
        assertEquals(Status.OK_200, push(Method.POST, "/metrics/", "# TYPE hits_total counter\nhits_total 1\n").status());
        assertEquals(Status.OK_200, push(Method.POST, "/metrics", "# TYPE hits_total counter\nhits_total 1\n").status());
        assertEquals("""
                # TYPE hits_total counter
                hits_total 2
                hits_total{job="web"} 5
                """, scrape());
    }

    @Test
    void groupingPathWithBase64AndMoreLabels() {
        // job "a/b" and path label "/var/tmp", both impossible as plain path segments
        assertEquals(Status.OK_200, push(Method.POST, "/metrics/job@base64/YS9i/dir@base64/L3Zhci90bXA=/zone/eu",
                "x{zone=\"us\"} 1\n").status());
        assertEquals("""
                # TYPE x untyped
                x{dir="/var/tmp",job="a/b",zone="eu"} 1
                """, scrape());
    }

    @Test
    void rejectionsAre400WithAMessageAndChangeNothing() {
        push(Method.POST, "/metrics/job/a", "# TYPE t gauge\nt 1\n");
        String before = scrape();

        ClientResponseTyped<String> syntax = push(Method.POST, "/metrics/job/a", "t 1\nt{ 2\n");
        assertEquals(Status.BAD_REQUEST_400, syntax.status());
        assertTrue(syntax.entity().startsWith("line 2: "), syntax.entity());

        ClientResponseTyped<String> conflict = push(Method.POST, "/metrics/job/a", "# TYPE t counter\nt 1\n");
        assertEquals(Status.BAD_REQUEST_400, conflict.status());
        assertTrue(conflict.entity().contains("family t: pushed as counter but the gateway holds it as gauge"), conflict.entity());

        ClientResponseTyped<String> badPath = push(Method.POST, "/metrics/job/a/1bad/x", "t 1\n");
        assertEquals(Status.BAD_REQUEST_400, badPath.status());
        assertTrue(badPath.entity().contains("improper label name \"1bad\""), badPath.entity());

        ClientResponseTyped<String> noJob = push(Method.POST, "/metrics/job/", "t 1\n");
        assertEquals(Status.BAD_REQUEST_400, noJob.status());
        assertTrue(noJob.entity().contains("job name is required"), noJob.entity());

        assertEquals(before, scrape());
    }

    @Test
    void invalidUtf8InAGroupingLabelIsRefusedNotReplaced() throws Exception {
        push(Method.POST, "/metrics/job/a", "t 1\n");
        String before = scrape();
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/metrics/job/%ff%fe", "/metrics/job@base64/__4", "/metrics/job/j/a/%ff")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri.resolve(path))
                    .POST(HttpRequest.BodyPublishers.ofString("t 1\n")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, response.statusCode(), path);
            assertTrue(response.body().contains("is not valid UTF-8"), response.body());
            HttpResponse<String> delete = http.send(HttpRequest.newBuilder(uri.resolve(path)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, delete.statusCode(), path);
        }
        assertEquals(before, scrape());
    }

    @Test
    void healthAndReadiness() {
        assertEquals("OK\n", client.get("/-/healthy").requestEntity(String.class));
        assertEquals("OK\n", client.get("/-/ready").requestEntity(String.class));
    }

    @Test
    void concurrentPushersOverHttpLoseNothing() throws Exception {
        int senders = 8;
        int pushesEach = 200;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            List<Future<Integer>> failures = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int sender = s;
                failures.add(pool.submit(() -> {
                    int failed = 0;
                    for (int i = 0; i < pushesEach; i++) {
                        HttpRequest request = HttpRequest.newBuilder(uri.resolve("/metrics/job/load"))
                                .timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofString("""
                                        # TYPE ops_total counter
                                        ops_total 1
                                        ops_total{sender="%d"} 1
                                        # TYPE lat histogram
                                        lat_bucket{le="0.5"} 1
                                        lat_bucket{le="+Inf"} 2
                                        lat_sum 1
                                        lat_count 2
                                        """.formatted(sender % 2)))
                                .build();
                        failed += http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200 ? 0 : 1;
                    }
                    return failed;
                }));
            }
            for (Future<Integer> f : failures) {
                assertEquals(0, f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        int total = senders * pushesEach;
        assertEquals("""
                # TYPE lat histogram
                lat_bucket{job="load",le="0.5"} %d
                lat_bucket{job="load",le="+Inf"} %d
                lat_sum{job="load"} %d
                lat_count{job="load"} %d
                # TYPE ops_total counter
                ops_total{job="load"} %d
                ops_total{job="load",sender="0"} %d
                ops_total{job="load",sender="1"} %d
                """.formatted(total, 2 * total, total, 2 * total, total, total / 2, total / 2), scrape());
    }
}
