package io.aggregationgateway.server.e2e;

import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.server.expose.ProtobufRenderer;
import io.aggregationgateway.server.support.GatewayProcess;
import io.aggregationgateway.server.support.RepositoryFiles;
import io.aggregationgateway.server.support.RunningGateway;
import io.aggregationgateway.testsupport.Closer;
import io.aggregationgateway.testsupport.RealPrometheus;
import io.aggregationgateway.testsupport.Sample;
import io.aggregationgateway.testsupport.TextScrape;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Scale-out as docs/scale-out.md describes it: three gateway replicas (each its own JVM) behind
 * Debian's nginx running the repository's {@code deploy/nginx/} configuration, a real Prometheus
 * scraping each replica directly and evaluating the repository's recording rules
 * ({@code deploy/prometheus/}). Next to them one single gateway gets the same pushes directly,
 * scraped by a second Prometheus with the same rules: every query of the query guide must give the
 * same answer on both.
 *
 * <p>The pushes are delta pushes of counters and histograms, over HTTP text, HTTP protobuf and gRPC.
 * Cumulative pushes from sources need {@code --source-label instance} on every gateway (the nginx
 * configuration hashes on that label): add it to {@link #GATEWAY_FLAGS}, and to
 * {@link #pushesOfTheQueryGuide()} pushes of running totals with {@code PUT} to
 * {@code /metrics/job/lb/instance/<sender>} (the same bodies go to both sides); the comparison needs
 * no change.
 *
 * <p>The methods run in order because the last one kills a replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BalancedReplicasE2ETest {
    /** The flags of every gateway here, the replicas and the single one alike. */
    private static final String[] GATEWAY_FLAGS = {};
    private static final int REPLICAS = 3;
    /** Bounds every wait on Prometheus; its first scrape comes 5-6 s after it starts. */
    private static final Duration SCRAPED_WITHIN = Duration.ofSeconds(30);
    private static final Path RULES = RepositoryFiles.resolve("deploy/prometheus/aggregation-gateway.rules.yml");
    private static final Path EXAMPLE_RULES = RepositoryFiles.resolve("deploy/prometheus/pushed-metrics.example.rules.yml");
    /** The metadata header gRPC senders name their source in, which nginx hashes on. */
    private static final String SOURCE_HEADER = "aggregation-gateway-source";

    @TempDir
    static Path workDir;

    private static BalancedReplicas balanced;
    private static RunningGateway single;
    private static RealPrometheus replicasPrometheus;
    private static RealPrometheus singlePrometheus;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startReplicasBalancerAndPrometheus() throws Exception {
        balanced = BalancedReplicas.start(workDir.resolve("replicas"), REPLICAS, GATEWAY_FLAGS);
        single = new RunningGateway(GATEWAY_FLAGS);
        List<Path> rules = List.of(RULES, EXAMPLE_RULES);
        replicasPrometheus = RealPrometheus.start(Files.createDirectories(workDir.resolve("prometheus-replicas")),
                balanced.replicaAddresses(), rules);
        singlePrometheus = RealPrometheus.start(Files.createDirectories(workDir.resolve("prometheus-single")),
                List.of("127.0.0.1:" + single.port()), rules);
    }

    @AfterAll
    static void stopAll() throws Exception {
        List<AutoCloseable> all = new ArrayList<>(grpcSenders.values());
        all.addAll(Arrays.asList(replicasPrometheus, singlePrometheus, balanced, single, http::close)); // nulls after a failed setup
        Closer.closeAll(all.toArray(AutoCloseable[]::new));
    }

    // ---- routing -------------------------------------------------------------------------------

    @Test
    @Order(1)
    void deltaPushesGoRoundRobinToEveryReplica() throws Exception {
        Map<String, Integer> pushesPerReplica = new TreeMap<>();
        for (int i = 0; i < 10 * REPLICAS; i++) {
            HttpResponse<String> response = balanced.pushText("POST", "/metrics/job/round-robin",
                    "# TYPE rr_pushes_total counter\nrr_pushes_total 1\n");
            pushesPerReplica.merge(BalancedReplicas.answeringReplica(response), 1, Integer::sum);
        }
        Map<String, Integer> expected = new TreeMap<>();
        balanced.replicaAddresses().forEach(address -> expected.put(address, 10));
        assertEquals(expected, pushesPerReplica, "replica that answered each push (X-Gateway-Replica)");
        for (GatewayProcess replica : balanced.replicas) {
            assertEquals(List.of(10.0), values(balanced.scrape(replica), "rr_pushes_total", Map.of("job", "round-robin")),
                    "what " + replica.address() + " holds");
        }
    }

    @Test
    @Order(2)
    void pushesWithTheSourceLabelStickToTheReplicaOfTheirGroupingPath() throws Exception {
        Map<String, String> replicaOfSender = new HashMap<>();
        for (int sender = 0; sender < 12; sender++) {
            String path = "/metrics/job/sticky/instance/s" + sender;
            Set<String> answered = new HashSet<>();
            for (String method : List.of("PUT", "POST", "PUT", "POST")) {
                answered.add(BalancedReplicas.answeringReplica(balanced.pushText(method, path,
                        "# TYPE sticky_pushes_total counter\nsticky_pushes_total{sender=\"s" + sender + "\"} 1\n")));
            }
            assertEquals(1, answered.size(), () -> path + " reached " + answered);
            replicaOfSender.put("s" + sender, answered.iterator().next());
        }
        assertTrue(new HashSet<>(replicaOfSender.values()).size() > 1, () -> "every source on one replica: " + replicaOfSender);

        // the replica nginx named holds the sender's series, and no other replica does
        for (GatewayProcess replica : balanced.replicas) {
            TextScrape scrape = balanced.scrape(replica);
            replicaOfSender.forEach((sender, address) -> assertEquals(address.equals(replica.address()),
                    !scrape.find("sticky_pushes_total", Map.of("sender", sender)).isEmpty(),
                    () -> sender + " on " + replica.address() + ", routed to " + address));
        }
    }

    @Test
    @Order(3)
    void aDeleteWithTheSourceLabelFollowsItsPushesOneWithoutIsRefusedAndRemovesNothing() throws Exception {
        String sourcePath = "/metrics/job/deletes/instance/d1";
        String pushedTo = BalancedReplicas.answeringReplica(balanced.pushText("PUT", sourcePath,
                "# TYPE deletes_total counter\ndeletes_total 1\n"));
        HttpResponse<String> sourceDelete = balanced.send(HttpRequest.newBuilder(balanced.uri(sourcePath)).DELETE());
        assertEquals(202, sourceDelete.statusCode(), sourceDelete::body);
        assertEquals(pushedTo, BalancedReplicas.answeringReplica(sourceDelete), "the DELETE reaches the source's replica");

        for (int i = 0; i < REPLICAS; i++) {
            balanced.pushText("POST", "/metrics/job/deletes", "# TYPE kept_total counter\nkept_total 1\n");
        }
        HttpResponse<String> refused = balanced.send(HttpRequest.newBuilder(balanced.uri("/metrics/job/deletes")).DELETE());
        assertEquals(405, refused.statusCode());
        assertEquals("POST, PUT", refused.headers().firstValue("Allow").orElse(""));
        assertTrue(refused.body().contains("send it to each replica directly"), refused.body());
        for (GatewayProcess replica : balanced.replicas) {
            assertEquals(List.of(1.0), values(balanced.scrape(replica), "kept_total", Map.of("job", "deletes")),
                    "the refused DELETE removed nothing from " + replica.address());
        }
    }

    @Test
    @Order(4)
    void scrapesThroughTheBalancerAreRefusedHealthChecksPass() throws Exception {
        HttpResponse<String> scrape = balanced.send(HttpRequest.newBuilder(balanced.uri("/metrics")).GET());
        assertEquals(404, scrape.statusCode());
        assertTrue(scrape.body().startsWith("Scrape each gateway replica directly"), scrape.body());
        HttpResponse<String> head = balanced.send(HttpRequest.newBuilder(balanced.uri("/metrics"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(404, head.statusCode());

        for (String health : List.of("/-/ready", "/-/healthy")) {
            HttpResponse<String> response = balanced.send(HttpRequest.newBuilder(balanced.uri(health)).GET());
            assertEquals(200, response.statusCode(), health);
        }
    }

    @Test
    @Order(5)
    void grpcPushesHashOnTheSourceHeaderAndGoRoundRobinWithout() throws Exception {
        for (int i = 0; i < 3 * REPLICAS; i++) {
            sendGrpc(balanced.grpcPort(), new GrpcPush(Map.of("job", "grpc-any"), null,
                    List.of(ProtoFamilies.counter("grpc_any_pushes_total", "", 1))));
        }
        for (GatewayProcess replica : balanced.replicas) {
            assertEquals(List.of(3.0), values(balanced.scrape(replica), "grpc_any_pushes_total", Map.of()),
                    "round robin without the header: " + replica.address());
        }

        List<String> senders = List.of("g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7");
        for (String sender : senders) {
            for (int i = 0; i < 3; i++) {
                sendGrpc(balanced.grpcPort(), new GrpcPush(Map.of("job", "grpc-sticky"), sender,
                        List.of(ProtoFamilies.counter("grpc_sticky_pushes_total", "", 1, "sender", sender))));
            }
        }
        Map<String, List<String>> holders = new TreeMap<>();
        for (GatewayProcess replica : balanced.replicas) {
            TextScrape scrape = balanced.scrape(replica);
            for (String sender : senders) {
                List<Double> held = values(scrape, "grpc_sticky_pushes_total", Map.of("sender", sender));
                if (!held.isEmpty()) {
                    assertEquals(List.of(3.0), held, sender + " on " + replica.address());
                    holders.computeIfAbsent(sender, s -> new ArrayList<>()).add(replica.address());
                }
            }
        }
        for (String sender : senders) {
            assertEquals(1, holders.getOrDefault(sender, List.of()).size(), () -> "every push of a sender on one replica: " + holders);
        }
        assertTrue(holders.values().stream().map(List::getFirst).distinct().count() > 1, () -> "all senders on one replica: " + holders);
    }

    // ---- what Prometheus adds up ---------------------------------------------------------------

    /** The query guide's queries; the single gateway's Prometheus and the replicas' must agree on each. */
    private static final List<String> QUERY_GUIDE = List.of(
            "sum without (instance, pod) (http_requests_total{job=\"lb\"})",
            "sum without (instance, pod) (http_request_duration_seconds_bucket{job=\"lb\"})",
            "sum without (instance, pod) (http_request_duration_seconds_count{job=\"lb\"})",
            "sum without (instance, pod) (http_request_duration_seconds_sum{job=\"lb\"})",
            "histogram_quantile(0.9, sum without (instance, pod) (http_request_duration_seconds_bucket{job=\"lb\"}))",
            "histogram_quantile(0.5, sum without (instance, pod) (http_request_duration_seconds_bucket{job=\"lb\"}))",
            // the recording rules of deploy/prometheus/pushed-metrics.example.rules.yml
            "job:http_requests_total:sum",
            "job:http_request_duration_seconds_bucket:sum",
            "job:http_request_duration_seconds_count:sum",
            "job:http_request_duration_seconds_sum:sum",
            "job:http_request_duration_seconds:p90");

    /** One push, sent the same way to the balancer and to the single gateway. */
    private sealed interface Push permits HttpPush, GrpcPush {
    }

    private record HttpPush(String method, String path, String contentType, byte[] body) implements Push {
    }

    /** @param sourceHeader the value of {@link #SOURCE_HEADER}, or null for none */
    private record GrpcPush(Map<String, String> groupingLabels, String sourceHeader, List<MetricFamily> families) implements Push {
    }

    /**
     * Delta pushes from four senders over three rounds: counters and classic histograms (every
     * sender with the same bounds, as one instrumented program has) in text over HTTP, protobuf over
     * HTTP and over gRPC. Sums are multiples of 1/4, so adding them in any order gives the same double.
     */
    private static List<Push> pushesOfTheQueryGuide() throws IOException {
        List<Push> pushes = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int sender = 0; sender < 4; sender++) {
                String zone = sender % 2 == 0 ? "eu" : "us";
                long fast = sender + round;
                long medium = fast + 2;
                long slow = medium + round;
                long count = slow + 1;
                pushes.add(new HttpPush("POST", "/metrics/job/lb/zone/" + zone, "text/plain; version=0.0.4", """
                        # TYPE http_requests_total counter
                        http_requests_total{code="200",route="/a"} %d
                        http_requests_total{code="500",route="/a"} %d
                        # TYPE http_request_duration_seconds histogram
                        http_request_duration_seconds_bucket{route="/a",le="0.1"} %d
                        http_request_duration_seconds_bucket{route="/a",le="0.5"} %d
                        http_request_duration_seconds_bucket{route="/a",le="1"} %d
                        http_request_duration_seconds_bucket{route="/a",le="+Inf"} %d
                        http_request_duration_seconds_sum{route="/a"} %s
                        http_request_duration_seconds_count{route="/a"} %d
                        """.formatted((sender + 1) * (round + 2), sender, fast, medium, slow, count,
                        0.25 * (sender + 1) * (round + 1), count).getBytes()));
                pushes.add(new HttpPush("POST", "/metrics/job/lb", ProtobufRenderer.CONTENT_TYPE, ProtoFamilies.delimited(
                        ProtoFamilies.counter("http_requests_total", "", sender + round + 1, "code", "200", "route", "/b"),
                        ProtoFamilies.histogram("http_request_duration_seconds", count, 0.5 * count, 0.1, fast, 0.5, medium, 1, slow))));
            }
        }
        for (int sender = 0; sender < 4; sender++) {
            pushes.add(new GrpcPush(Map.of("job", "lb"), null, List.of(
                    ProtoFamilies.counter("http_requests_total", "", sender + 1, "code", "200", "route", "/grpc"))));
        }
        return pushes;
    }

    /** What every push of {@link #pushesOfTheQueryGuide()} adds to {@code http_requests_total}, added up by the test itself. */
    private static final Map<Map<String, String>, Double> REQUESTS_PUSHED = requestsPushed();

    private static Map<Map<String, String>, Double> requestsPushed() {
        Map<Map<String, String>, Double> sums = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (int sender = 0; sender < 4; sender++) {
                String zone = sender % 2 == 0 ? "eu" : "us";
                sums.merge(Map.of("job", "lb", "zone", zone, "code", "200", "route", "/a"), (double) (sender + 1) * (round + 2), Double::sum);
                sums.merge(Map.of("job", "lb", "zone", zone, "code", "500", "route", "/a"), (double) sender, Double::sum);
                sums.merge(Map.of("job", "lb", "code", "200", "route", "/b"), (double) sender + round + 1, Double::sum);
            }
        }
        for (int sender = 0; sender < 4; sender++) {
            sums.merge(Map.of("job", "lb", "code", "200", "route", "/grpc"), (double) sender + 1, Double::sum);
        }
        return sums;
    }

    @Test
    @Order(6)
    void prometheusSummingTheReplicasGetsWhatItGetsFromOneGateway() throws Exception {
        for (Push push : pushesOfTheQueryGuide()) {
            sendThroughBalancer(push);
            sendToSingle(push);
        }

        // the test's own sum first: both sides must have scraped every push
        awaitSeries(replicasPrometheus, QUERY_GUIDE.getFirst(), REQUESTS_PUSHED::equals, "the pushed totals " + REQUESTS_PUSHED);
        awaitSeries(singlePrometheus, QUERY_GUIDE.getFirst(), REQUESTS_PUSHED::equals, "the pushed totals " + REQUESTS_PUSHED);
        double everyPushScraped = System.currentTimeMillis() / 1000.0;
        for (String query : QUERY_GUIDE) {
            // a recording rule keeps the value of its last evaluation, which may predate the last scrape
            awaitEvaluatedSince(singlePrometheus, query, everyPushScraped);
            Map<Map<String, String>, Double> fromSingle = awaitSeries(singlePrometheus, query, result -> !result.isEmpty(), "a result");
            awaitSeries(replicasPrometheus, query, fromSingle::equals, "what one gateway gives: " + fromSingle);
        }
        // the replicas really shared the work: each holds only part of the sum
        for (GatewayProcess replica : balanced.replicas) {
            double held = values(balanced.scrape(replica), "http_requests_total", Map.of("route", "/a", "code", "200", "zone", "eu"))
                    .stream().mapToDouble(Double::doubleValue).sum();
            double total = REQUESTS_PUSHED.get(Map.of("job", "lb", "zone", "eu", "code", "200", "route", "/a"));
            assertTrue(held > 0 && held < total, () -> replica.address() + " holds " + held + " of " + total);
        }
        awaitSeries(replicasPrometheus, "aggregation_gateway:replicas:count",
                result -> List.copyOf(result.values()).equals(List.of((double) REPLICAS)), REPLICAS + " replicas");
    }

    // ---- losing a replica ----------------------------------------------------------------------

    /** One push of the load test: when it started, how it ended, which replica answered. */
    private record Outcome(long startedNanos, int status, String replica) {
    }

    @Test
    @Order(7)
    void killingAReplicaUnderLoadLosesOnlyItsShare() throws Exception {
        GatewayProcess victim = balanced.replicas.get(1);
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        ExecutorService pushers = Executors.newFixedThreadPool(2);
        List<Future<?>> running = new ArrayList<>();
        for (int thread = 0; thread < 2; thread++) {
            running.add(pushers.submit(() -> {
                for (int i = 0; i < 1_000 && !stop.get() && System.nanoTime() < deadline; i++) {
                    long started = System.nanoTime();
                    try {
                        HttpResponse<String> response = balanced.send(HttpRequest.newBuilder(balanced.uri("/metrics/job/load"))
                                .POST(HttpRequest.BodyPublishers.ofString("# TYPE load_pushes_total counter\nload_pushes_total 1\n")));
                        outcomes.add(new Outcome(started, response.statusCode(), BalancedReplicas.answeringReplica(response)));
                    } catch (IOException e) {
                        outcomes.add(new Outcome(started, -1, e.toString()));
                    }
                }
                return null;
            }));
        }
        long killed;
        try {
            awaitCount(outcomes, o -> true, 60, deadline);
            victim.kill();
            // pushes nginx had handed to the victim when it died may fail; every push from here on must not
            killed = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            awaitCount(outcomes, o -> o.startedNanos() > killed, 60, deadline);
        } finally {
            stop.set(true);
            for (Future<?> pusher : running) {
                pusher.get(30, TimeUnit.SECONDS);
            }
            pushers.shutdown();
        }

        List<Outcome> afterKill = outcomes.stream().filter(o -> o.startedNanos() > killed).toList();
        List<Outcome> failedAfterKill = afterKill.stream().filter(o -> o.status() != 200 || o.replica().equals(victim.address())).toList();
        assertEquals(List.of(), failedAfterKill, "after the kill, every push goes to a live replica\n" + balanced.nginx.logTail());
        long failed = outcomes.stream().filter(o -> o.status() != 200).count();
        assertTrue(failed <= 2, () -> failed + " pushes failed; only the one in flight per sender may\n" + balanced.nginx.logTail());

        Map<String, Long> answered = outcomes.stream().filter(o -> o.status() == 200)
                .collect(Collectors.groupingBy(Outcome::replica, TreeMap::new, Collectors.counting()));
        assertTrue(answered.getOrDefault(victim.address(), 0L) > 0, () -> "the victim had no share to lose: " + answered);
        double survivorsShare = 0;
        for (GatewayProcess replica : balanced.replicas) {
            if (replica != victim) {
                long share = answered.getOrDefault(replica.address(), 0L);
                assertEquals(List.of((double) share), values(balanced.scrape(replica), "load_pushes_total", Map.of()),
                        replica.address() + " holds every push it answered");
                survivorsShare += share;
            }
        }
        double expected = survivorsShare;
        awaitSeries(replicasPrometheus, "sum without (instance, pod) (load_pushes_total)",
                result -> List.copyOf(result.values()).equals(List.of(expected)), "every answered push but the victim's: " + answered);
        awaitSeries(replicasPrometheus, "aggregation_gateway:replicas:count",
                result -> List.copyOf(result.values()).equals(List.of((double) REPLICAS - 1)), (REPLICAS - 1) + " replicas");
        assertFalse(victim.isAlive());
    }

    private static void awaitCount(List<Outcome> outcomes, Predicate<Outcome> which, int count, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            synchronized (outcomes) {
                if (outcomes.stream().filter(which).count() >= count) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        fail("fewer than " + count + " pushes in time: " + outcomes.size() + " in all");
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static void sendThroughBalancer(Push push) throws Exception {
        switch (push) {
            case HttpPush p -> send(balanced.uri(p.path()), p);
            case GrpcPush p -> sendGrpc(balanced.grpcPort(), p);
        }
    }

    private static void sendToSingle(Push push) throws Exception {
        switch (push) {
            case HttpPush p -> send(single.uri(p.path()), p);
            case GrpcPush p -> sendGrpc(single.port(), p);
        }
    }

    private static void send(URI uri, HttpPush push) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).header("Content-Type", push.contentType())
                .method(push.method(), HttpRequest.BodyPublishers.ofByteArray(push.body()))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), () -> push.method() + " " + uri + ": " + response.body());
    }

    /** One channel per port and source header, as a long-lived sender keeps one; closed after all tests. */
    private static final Map<String, GrpcSender> grpcSenders = new HashMap<>();

    private static void sendGrpc(int port, GrpcPush push) {
        Map<String, String> metadata = push.sourceHeader() == null ? Map.of() : Map.of(SOURCE_HEADER, push.sourceHeader());
        GrpcSender sender = grpcSenders.computeIfAbsent(port + " " + metadata, key -> new GrpcSender(port, metadata));
        try {
            sender.push(push.groupingLabels(), push.families().toArray(MetricFamily[]::new));
        } catch (StatusRuntimeException e) {
            fail("gRPC push to " + port + ": " + e.getStatus() + "\n" + balanced.nginx.logTail(), e);
        }
    }

    /** Polls {@code query} until its series (labels to value) satisfy {@code condition}; returns them. */
    private static Map<Map<String, String>, Double> awaitSeries(RealPrometheus prometheus, String query,
            Predicate<Map<Map<String, String>, Double>> condition, String expectation) throws Exception {
        List<Sample> samples = prometheus.awaitResult(query, result -> condition.test(series(result)), expectation, SCRAPED_WITHIN);
        return series(samples);
    }

    /**
     * Polls until every sample of {@code query} was computed at or after {@code notBefore} (seconds
     * since the epoch): a recording rule's samples carry the time of the rule evaluation that wrote
     * them, a live aggregation's the time of the query.
     */
    private static void awaitEvaluatedSince(RealPrometheus prometheus, String query, double notBefore) throws Exception {
        prometheus.awaitResult("timestamp(" + query + ")",
                samples -> !samples.isEmpty() && samples.stream().allMatch(sample -> sample.value() >= notBefore),
                "samples evaluated at or after " + notBefore, SCRAPED_WITHIN);
    }

    private static Map<Map<String, String>, Double> series(List<Sample> samples) {
        Map<Map<String, String>, Double> series = new HashMap<>();
        samples.forEach(sample -> series.put(sample.labels(), sample.value()));
        return series;
    }

    private static List<Double> values(TextScrape scrape, String name, Map<String, String> labels) {
        return scrape.find(name, labels).stream().map(Sample::value).toList();
    }
}
