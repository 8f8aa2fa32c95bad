package io.aggregationgateway.server.e2e;

import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.server.aggregate.SeriesImage;
import io.aggregationgateway.server.expose.ProtobufRenderer;
import io.aggregationgateway.server.persist.Snapshot;
import io.aggregationgateway.server.persist.SnapshotFile;
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
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>The pushes are delta pushes of counters and histograms, over HTTP text, HTTP protobuf and gRPC,
 * and cumulative pushes (running totals, each round sent twice as a retrying sender does) from
 * sources named by {@code instance}, the source label of every gateway here and the label the nginx
 * configuration hashes on.
 *
 * <p>Every replica runs with {@code --persistence-file} (a snapshot every second). The last
 * methods take replicas away under load: a SIGKILL loses that replica's share while it is down and,
 * once it restarts on its file and port, exactly what it answered after its last snapshot; its
 * cumulative sources, pushing again, lose nothing. A SIGTERM loses nothing at all.
 *
 * <p>The methods run in order because the last ones stop replicas.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BalancedReplicasE2ETest {
    /** The flags of every gateway here, the replicas and the single one alike. */
    private static final String[] GATEWAY_FLAGS = {"--source-label", "instance"};
    /** Each replica also keeps its share in a snapshot file of its own, written every second. */
    private static final String PERSISTENCE_INTERVAL = "1s";
    /** Long-lived senders pushing running totals. */
    private static final int SOURCES = 3;
    private static final int ROUNDS = 3;
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
        balanced = BalancedReplicas.start(workDir.resolve("replicas"), REPLICAS, replica -> {
            List<String> flags = new ArrayList<>(List.of(GATEWAY_FLAGS));
            flags.addAll(List.of("--persistence-file", snapshotFile(replica).toString(), "--persistence-interval", PERSISTENCE_INTERVAL));
            return flags.toArray(String[]::new);
        });
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
        for (int round = 0; round < ROUNDS; round++) {
            for (int source = 0; source < SOURCES; source++) {
                long fast = (source + 1L) * (round + 1);
                long medium = fast + round + 1;
                long slow = medium + 1;
                long count = slow + 1;
                HttpPush runningTotals = new HttpPush("PUT", "/metrics/job/lb/instance/c" + source, "text/plain; version=0.0.4", """
                        # TYPE http_requests_total counter
                        http_requests_total{code="200",route="/c"} %d
                        # TYPE http_request_duration_seconds histogram
                        http_request_duration_seconds_bucket{route="/c",le="0.1"} %d
                        http_request_duration_seconds_bucket{route="/c",le="0.5"} %d
                        http_request_duration_seconds_bucket{route="/c",le="1"} %d
                        http_request_duration_seconds_bucket{route="/c",le="+Inf"} %d
                        http_request_duration_seconds_sum{route="/c"} %s
                        http_request_duration_seconds_count{route="/c"} %d
                        """.formatted(runningTotal(source, round), fast, medium, slow, count, 0.25 * fast, count).getBytes());
                pushes.add(runningTotals);
                pushes.add(runningTotals); // a retry of the same totals adds nothing
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
        for (int source = 0; source < SOURCES; source++) {
            // the source label is not exposed: each source adds its last running total
            sums.merge(Map.of("job", "lb", "code", "200", "route", "/c"), (double) runningTotal(source, ROUNDS - 1), Double::sum);
        }
        return sums;
    }

    /** The running total of requests a source reports in a round: it only grows. */
    private static long runningTotal(int source, int round) {
        return (source + 1L) * (round + 1) * 2;
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

    /**
     * One push of a load test: when it started and was answered (the wall clock, as snapshot times
     * are), how it ended, and the replicas nginx handed it to ({@code X-Gateway-Replica}).
     */
    private record Outcome(long startedNanos, long startedMillis, long answeredMillis, int status, String upstreams) {
        /** The replica that answered: the last one nginx tried. */
        String replica() {
            return upstreams.substring(upstreams.lastIndexOf(' ') + 1);
        }

        boolean answeredBy(GatewayProcess replica) {
            return status == 200 && replica().equals(replica.address());
        }

        /** Whether the push may have reached {@code replica}: nginx handed it over, possibly before trying the next one. */
        boolean reached(GatewayProcess replica) {
            return Arrays.asList(upstreams.split(", ")).contains(replica.address());
        }
    }

    /** Something the test does while the load runs, given the pushes so far. */
    private interface DuringLoad {
        void run(List<Outcome> outcomes, long deadline) throws Exception;
    }

    /**
     * Two senders push {@code family} (a counter, 1 per push) round robin through the balancer, at
     * most {@code pushesPerSender} pushes each and 45 s, while {@code duringLoad} runs; returns every
     * push's outcome.
     */
    private static List<Outcome> underLoad(String family, int pushesPerSender, DuringLoad duringLoad) throws Exception {
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        ExecutorService pushers = Executors.newFixedThreadPool(2);
        List<Future<?>> running = new ArrayList<>();
        for (int thread = 0; thread < 2; thread++) {
            running.add(pushers.submit(() -> {
                for (int i = 0; i < pushesPerSender && !stop.get() && System.nanoTime() < deadline; i++) {
                    long started = System.nanoTime();
                    long startedMillis = System.currentTimeMillis();
                    try {
                        HttpResponse<String> response = balanced.send(HttpRequest.newBuilder(balanced.uri("/metrics/job/load"))
                                .POST(HttpRequest.BodyPublishers.ofString("# TYPE " + family + " counter\n" + family + " 1\n")));
                        outcomes.add(new Outcome(started, startedMillis, System.currentTimeMillis(), response.statusCode(),
                                response.headers().firstValue("X-Gateway-Replica").orElse("")));
                    } catch (IOException e) {
                        outcomes.add(new Outcome(started, startedMillis, System.currentTimeMillis(), -1, e.toString()));
                    }
                }
                return null;
            }));
        }
        try {
            duringLoad.run(outcomes, deadline);
        } finally {
            stop.set(true);
            for (Future<?> pusher : running) {
                pusher.get(30, TimeUnit.SECONDS);
            }
            pushers.shutdown();
        }
        synchronized (outcomes) {
            return List.copyOf(outcomes);
        }
    }

    /** The replica test 7 kills, restarted by test 8, and what test 7 saw. */
    private static final int VICTIM = 1;
    private static List<Outcome> killLoad = List.of();
    /** Cumulative sources (grouping path to the replica nginx hashes it to) and the last running total each had answered. */
    private static final Map<String, String> replicaOfSource = new TreeMap<>();
    private static final Map<String, Long> lastTotal = new TreeMap<>();
    /** A source path nginx hashes to the victim, pushed only to see whether nginx routes to it again. */
    private static String probeOfVictim;

    @Test
    @Order(7)
    void killingAReplicaUnderLoadLosesOnlyItsShare() throws Exception {
        GatewayProcess victim = balanced.replicas.get(VICTIM);
        findCumulativeSources(victim);
        AtomicBoolean stopTotals = new AtomicBoolean();
        AtomicLong rounds = new AtomicLong();
        ExecutorService totalsSender = Executors.newSingleThreadExecutor();
        long[] killedAt = new long[1];
        List<Outcome> outcomes = underLoad("load_pushes_total", 1_000, (sofar, deadline) -> {
            // a source pushing its running totals alongside, until just before the kill
            Future<?> totals = totalsSender.submit(() -> {
                for (long round = 2; round < 500 && !stopTotals.get() && System.nanoTime() < deadline; round++) {
                    for (String path : replicaOfSource.keySet()) {
                        pushTotal(path, round * 10);
                    }
                    rounds.incrementAndGet();
                }
                return null;
            });
            awaitCount(sofar, o -> true, 60, deadline);
            // the victim has written a snapshot holding part of this load (a snapshot every second)
            long someLoad = System.currentTimeMillis();
            awaitSnapshotAfter(victim, someLoad, deadline);
            awaitCount(sofar, o -> o.startedMillis() > someLoad, 40, deadline);
            stopTotals.set(true);
            totals.get(30, TimeUnit.SECONDS);
            totalsSender.shutdown();
            assertTrue(rounds.get() > 0, "the sources pushed under load");
            victim.kill();
            // pushes nginx had handed to the victim when it died may fail; every push from here on must not
            killedAt[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            awaitCount(sofar, o -> o.startedNanos() > killedAt[0], 60, deadline);
        });
        killLoad = outcomes;
        long killed = killedAt[0];

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

    /**
     * After the SIGKILL of test 7, the victim starts again on its snapshot file and port. It comes
     * back with exactly what its last snapshot held: of its delta pushes it lost only those it
     * answered after that snapshot was taken (at most the one-second interval), and its cumulative
     * sources, pushing their running totals again, make the sum exact: nothing lost at all.
     */
    @Test
    @Order(8)
    void aKilledReplicaRestartedOnItsSnapshotLosesOnlyWhatCameAfterItAndCumulativeSourcesNothing() throws Exception {
        GatewayProcess victim = balanced.replicas.get(VICTIM);
        assertFalse(victim.isAlive(), "test 7 killed it");
        assertFalse(killLoad.isEmpty(), "test 7 ran");
        Snapshot snapshot = new SnapshotFile(snapshotFile(VICTIM)).read().orElseThrow();
        long takenAt = snapshot.takenAt().toEpochMilli();
        double inSnapshot = scalarSum(snapshot, "load_pushes_total");
        double totalsInSnapshot = scalarSum(snapshot, "totals_total");

        // every push the victim answered before the snapshot was taken is in it; none started after it
        long answeredBefore = killLoad.stream().filter(o -> o.answeredBy(victim) && o.answeredMillis() < takenAt).count();
        long startedBefore = killLoad.stream().filter(o -> o.reached(victim) && o.startedMillis() <= takenAt).count();
        long answeredByVictim = killLoad.stream().filter(o -> o.answeredBy(victim)).count();
        assertTrue(answeredBefore <= inSnapshot && inSnapshot <= startedBefore,
                () -> "the snapshot taken at " + takenAt + " holds " + inSnapshot + " pushes; answered before it "
                        + answeredBefore + ", started before it " + startedBefore);
        assertTrue(inSnapshot > 0, "the snapshot holds part of the load");

        GatewayProcess restarted = balanced.restart(VICTIM);
        assertTrue(restarted.log().contains("loaded snapshot " + snapshotFile(VICTIM).toAbsolutePath()), restarted.logTail());
        TextScrape restoredScrape = balanced.scrape(restarted);
        assertEquals(List.of(inSnapshot), values(restoredScrape, "load_pushes_total", Map.of()),
                "the restarted replica serves its last snapshot; it lost " + (answeredByVictim - inSnapshot)
                        + " of the " + answeredByVictim + " pushes it answered, all after the snapshot");
        assertEquals(List.of(totalsInSnapshot), values(restoredScrape, "totals_total", Map.of()), "the sources' sums as of the snapshot");

        // the sum over replicas: the survivors' shares and the victim's snapshot
        double survivorsShare = killLoad.stream().filter(o -> o.status() == 200 && !o.replica().equals(victim.address())).count();
        double expected = survivorsShare + inSnapshot;
        awaitSeries(replicasPrometheus, "sum without (instance, pod) (load_pushes_total)",
                result -> List.copyOf(result.values()).equals(List.of(expected)), "the survivors' pushes and the victim's snapshot");
        awaitSeries(replicasPrometheus, "aggregation_gateway:replicas:count",
                result -> List.copyOf(result.values()).equals(List.of((double) REPLICAS)), REPLICAS + " replicas again");

        // nginx took the victim out of rotation for fail_timeout (10 s) when it died: until it is back,
        // a source of the victim would reach another replica, which would count its running total anew
        awaitRoutedTo(restarted, probeOfVictim);
        Map<String, Long> newTotals = new TreeMap<>();
        lastTotal.forEach((path, total) -> newTotals.put(path, total + 1_000));
        newTotals.forEach(BalancedReplicasE2ETest::pushTotal);
        for (GatewayProcess replica : balanced.replicas) {
            double held = replicaOfSource.entrySet().stream().filter(e -> e.getValue().equals(replica.address()))
                    .mapToDouble(e -> newTotals.get(e.getKey())).sum();
            assertEquals(held == 0 ? List.of() : List.of(held), values(balanced.scrape(replica), "totals_total", Map.of()),
                    replica.address() + " holds its sources' running totals, the restarted one too");
        }
        double everyTotal = newTotals.values().stream().mapToDouble(Long::doubleValue).sum();
        awaitSeries(replicasPrometheus, "sum without (instance, pod) (totals_total)",
                result -> List.copyOf(result.values()).equals(List.of(everyTotal)), "the sources' running totals, exactly: " + newTotals);
    }

    /**
     * SIGTERM under load, as Kubernetes stops a pod: the replica answers what it took, writes its
     * last snapshot and exits 0; restarted on it, it has every push it answered, and the sum over
     * replicas is every answered push, none lost.
     */
    @Test
    @Order(9)
    void aReplicaStoppedWithSigtermUnderLoadComesBackWithEveryPushItAnswered() throws Exception {
        int index = (VICTIM + 1) % REPLICAS;
        GatewayProcess stopped = balanced.replicas.get(index);
        int[] exitCode = new int[1];
        // a stop under load takes seconds (the drain, the last snapshot): enough pushes to outlast it
        List<Outcome> outcomes = underLoad("drain_pushes_total", 10_000, (sofar, deadline) -> {
            awaitCount(sofar, o -> o.answeredBy(stopped), 30, deadline);
            exitCode[0] = stopped.terminate();
            long stoppedAt = System.nanoTime();
            awaitCount(sofar, o -> o.startedNanos() > stoppedAt, 30, deadline);
        });
        assertEquals(0, exitCode[0], stopped.logTail());
        assertTrue(stopped.log().contains("last snapshot written to"), stopped.logTail());
        long answeredByIt = outcomes.stream().filter(o -> o.answeredBy(stopped)).count();
        long failed = outcomes.stream().filter(o -> o.status() != 200).count();
        assertTrue(failed <= 2, () -> failed + " pushes failed\n" + balanced.nginx.logTail());

        GatewayProcess restarted = balanced.restart(index);
        List<Double> restored = values(balanced.scrape(restarted), "drain_pushes_total", Map.of());
        assertEquals(1, restored.size(), restored::toString);
        double held = restored.getFirst();
        // a push in flight when the stop began may have been applied with its answer lost on the way:
        // held, though not answered 200 by this replica (seen once in a few runs)
        List<Outcome> handedOverNotAnswered = outcomes.stream().filter(o -> o.reached(stopped) && !o.answeredBy(stopped)).toList();
        assertTrue(answeredByIt <= held && held <= answeredByIt + handedOverNotAnswered.size(),
                () -> "a stop loses nothing it answered: answered " + answeredByIt + ", held after the restart " + held
                        + "; handed to it but not answered by it: " + handedOverNotAnswered);
        double everyAnswered = outcomes.stream().filter(o -> o.status() == 200).count();
        double expected = everyAnswered + held - answeredByIt;
        awaitSeries(replicasPrometheus, "sum without (instance, pod) (drain_pushes_total)",
                result -> List.copyOf(result.values()).equals(List.of(expected)), "every answered push");
    }

    /**
     * Cumulative sources for tests 7 and 8: paths {@code /metrics/job/totals/instance/tN}, found by
     * their first push (a running total of 10), until at least two reach the victim and two others;
     * and a probe path that reaches the victim.
     */
    private static void findCumulativeSources(GatewayProcess victim) throws Exception {
        for (int n = 0; n < 60 && (onVictim(victim) < 2 || replicaOfSource.size() - onVictim(victim) < 2); n++) {
            String path = "/metrics/job/totals/instance/t" + n;
            replicaOfSource.put(path, BalancedReplicas.answeringReplica(balanced.pushText("PUT", path, totalsBody(10))));
            lastTotal.put(path, 10L);
        }
        assertTrue(onVictim(victim) >= 2, () -> "no two sources of 60 hash to the victim: " + replicaOfSource);
        for (int n = 0; n < 60 && probeOfVictim == null; n++) {
            String path = "/metrics/job/probe/instance/p" + n;
            if (BalancedReplicas.answeringReplica(balanced.pushText("PUT", path, "# TYPE probe_total counter\nprobe_total 1\n"))
                    .equals(victim.address())) {
                probeOfVictim = path;
            }
        }
        assertTrue(probeOfVictim != null, "no probe path of 60 hashes to the victim");
    }

    private static long onVictim(GatewayProcess victim) {
        return replicaOfSource.values().stream().filter(victim.address()::equals).count();
    }

    private static String totalsBody(long total) {
        return "# TYPE totals_total counter\ntotals_total " + total + "\n";
    }

    /** A source's running total: it must reach the source's replica, else the sum would count it anew. */
    private static void pushTotal(String path, long total) {
        try {
            String replica = BalancedReplicas.answeringReplica(balanced.pushText("PUT", path, totalsBody(total)));
            assertEquals(replicaOfSource.get(path), replica, path + " stays on its replica");
            lastTotal.put(path, total);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(path, e);
        }
    }

    /** Pushes the probe until nginx hands it to {@code replica} (bounded: 30 s). */
    private static void awaitRoutedTo(GatewayProcess replica, String probePath) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!BalancedReplicas.answeringReplica(balanced.pushText("PUT", probePath, "# TYPE probe_total counter\nprobe_total 1\n"))
                .equals(replica.address())) {
            if (System.nanoTime() > deadline) {
                fail("nginx did not route to " + replica.address() + " again within 30 s\n" + balanced.nginx.logTail());
            }
            Thread.sleep(500);
        }
    }

    /** Waits until {@code replica} has written a snapshot taken after {@code millis} (wall clock). */
    private static void awaitSnapshotAfter(GatewayProcess replica, long millis, long deadline) throws Exception {
        while (System.nanoTime() < deadline) {
            List<Double> taken = values(balanced.scrape(replica), "aggregation_gateway_snapshot_last_success_timestamp_seconds", Map.of());
            if (!taken.isEmpty() && taken.getFirst() * 1000 > millis) {
                return;
            }
            Thread.sleep(100);
        }
        fail(replica.address() + " wrote no snapshot in time\n" + replica.logTail());
    }

    private static Path snapshotFile(int replica) {
        return workDir.resolve("replicas").resolve("replica-" + replica + ".state");
    }

    /** The sum of a counter family's series in a snapshot; 0 when the snapshot does not have it. */
    private static double scalarSum(Snapshot snapshot, String family) {
        return snapshot.store().families().stream().filter(f -> f.name().equals(family))
                .flatMap(f -> f.series().stream()).mapToDouble(s -> ((SeriesImage.Scalar) s).value()).sum();
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
        Map<String, Long> byReplica;
        synchronized (outcomes) {
            byReplica = outcomes.stream().collect(Collectors.groupingBy(o -> o.status() + " " + o.upstreams(), TreeMap::new, Collectors.counting()));
        }
        fail("fewer than " + count + " pushes in time: " + outcomes.size() + " in all, by status and replica " + byReplica
                + "\n" + balanced.nginx.logTail());
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
