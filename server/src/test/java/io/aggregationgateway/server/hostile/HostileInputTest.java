package io.aggregationgateway.server.hostile;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.server.hostile.HostileCases.Expect;
import io.aggregationgateway.server.hostile.HostileCases.RawCase;
import io.aggregationgateway.server.expose.TextFormatRenderer;
import io.aggregationgateway.server.support.RunningGateway;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input against the real server: seeded mutations of valid text, OpenMetrics and protobuf
 * bodies over HTTP and of gRPC push requests, and requests that play tricks with headers and
 * HTTP/1.1 framing over raw sockets. Every input must get an answer that is not a 5xx (for gRPC:
 * OK, INVALID_ARGUMENT or RESOURCE_EXHAUSTED), a refused one must leave the scrape byte for byte as
 * it was, and {@code /-/healthy} must answer throughout. It prints what it tried, the 5xx count and
 * the longest any request took.
 *
 * <p>Reproducible: {@code -Dhostile.seed=N} (default fixed), {@code -Dhostile.mutations=N} (HTTP
 * body mutations, default 10,000). A failure names its input (seed index and mutations).
 */
class HostileInputTest {
    private static final long SEED = Long.getLong("hostile.seed", 20_261_201L);
    private static final int MUTATIONS = Integer.getInteger("hostile.mutations", 10_000);
    private static final int GRPC_MUTATIONS = Integer.getInteger("hostile.grpcMutations", 600);
    private static final int TIMEOUT_MILLIS = 15_000;
    // every so many accepted pushes the pushed series are deleted, so scrapes stay small
    private static final int ACCEPTED_BEFORE_CLEANUP = 100;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> failures = new ArrayList<>();
    private int tried;
    private int fiveHundreds;
    private int acceptedSinceCleanup;
    private long longestNanos;
    private String longestInput = "";
    private String baseline;
    private String phases = "";
    private RunningGateway gateway;
    private RawHttp scraper;

    @Test
    void hostileInputGetsNo5xxChangesNothingWhenRefusedAndHealthStaysUp() throws Exception {
        long started = System.nanoTime();
        try (RunningGateway running = new RunningGateway("--self-metrics", "false", "--log-level", "WARNING")) {
            gateway = running;
            scraper = new RawHttp(gateway.port(), TIMEOUT_MILLIS);
            AtomicBoolean done = new AtomicBoolean();
            HealthWatch health = new HealthWatch(done);
            Thread watcher = Thread.ofPlatform().daemon().name("health-watch").start(health);
            baseline = render();
            try {
                long t0 = System.nanoTime();
                bodyMutations();
                long t1 = System.nanoTime();
                rawCases();
                long t2 = System.nanoTime();
                grpcMutations();
                phases = String.format("body mutations %.1f s, header and framing tricks %.1f s, gRPC %.1f s",
                        (t1 - t0) / 1e9, (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
            } finally {
                done.set(true);
                watcher.join(TIMEOUT_MILLIS);
                scraper.close();
            }
            System.out.printf("hostile inputs: %,d tried in %.1f s, %d answered 5xx, longest request %.0f ms (%s);"
                            + " health: %,d checks, %d failed, slowest %.0f ms; %s%n",
                    tried, (System.nanoTime() - started) / 1e9, fiveHundreds, longestNanos / 1e6, longestInput,
                    health.checks.get(), health.failed.get(), health.slowestNanos.get() / 1e6, phases);
            failures.stream().limit(50).forEach(f -> System.out.println("hostile input failed: " + f));
            assertEquals(0, health.failed.get(), "health checks failed: " + health.firstFailure);
        }
        assertTrue(tried >= 10_000 || MUTATIONS < 10_000, "tried " + tried);
        assertEquals(List.of(), failures.subList(0, Math.min(failures.size(), 30)), failures.size() + " failures");
    }

    private void bodyMutations() throws IOException {
        List<SeedBodies.Seed> seeds = SeedBodies.all();
        Random choose = new Random(SEED);
        try (RawHttp pusher = new RawHttp(gateway.port(), TIMEOUT_MILLIS)) {
            for (int i = 0; i < MUTATIONS; i++) {
                SeedBodies.Seed seed = seeds.get(choose.nextInt(seeds.size()));
                long mutationSeed = SEED * 1_000_003L + i;
                StringBuilder what = new StringBuilder();
                byte[] body = new BodyMutator(mutationSeed, seed.contentType().equals(SeedBodies.PROTOBUF_TYPE))
                        .mutate(seed.body(), what);
                boolean gzip = choose.nextInt(10) == 0;
                List<String> headers = new ArrayList<>(List.of("Content-Type: " + seed.contentType()));
                if (gzip) {
                    headers.add("Content-Encoding: gzip");
                    body = HostileCases.gzip(body);
                }
                String name = "mutation " + i + " of " + seed.name() + (gzip ? " (gzip)" : "") + ": " + what.toString().trim();
                exchange(pusher, name, HostileCases.push(headers, body));
            }
            // one case of its own: 120k labels in one series, 1.5 MB
            StringBuilder labels = new StringBuilder("big{");
            for (int i = 0; i < 120_000; i++) {
                labels.append(i == 0 ? "" : ",").append("l").append(i).append("=\"v\"");
            }
            exchange(pusher, "labels-120k", HostileCases.push(List.of("Content-Type: text/plain"),
                    SeedBodies.utf8(labels.append("} 1\n").toString())));
        }
    }

    /** A well-framed push on a kept-alive connection: any status but 5xx, and a refusal changes nothing. */
    private void exchange(RawHttp pusher, String name, byte[] request) throws IOException {
        tried++;
        long start = System.nanoTime();
        RawHttp.Response response;
        try {
            response = pusher.exchange(request, false);
        } catch (IOException e) {
            failures.add(name + ": no answer (" + e + ")");
            return;
        } finally {
            time(name, start);
        }
        if (response.status() == 0) {
            failures.add(name + ": the connection closed without an answer");
        } else if (response.status() >= 500) {
            fiveHundreds++;
            failures.add(name + ": " + response.status() + " " + abbreviate(response.text()));
        }
        afterward(name, response.status() >= 200 && response.status() < 300);
    }

    /**
     * RFC 9112 answers a transfer coding the server does not implement with 501 and an HTTP major
     * version other than 1 with 505: refusals of what the client asked, not faults of the server.
     */
    private static boolean isProtocolRefusal(int status) {
        return status == 501 || status == 505;
    }

    private void rawCases() throws IOException {
        for (RawCase c : HostileCases.all()) {
            tried++;
            long start = System.nanoTime();
            List<RawHttp.Response> responses;
            try {
                responses = RawHttp.sendAlone(gateway.port(), TIMEOUT_MILLIS, c.bytes());
            } catch (IOException e) {
                failures.add(c.name() + ": " + e);
                continue;
            } finally {
                time(c.name(), start);
            }
            List<Integer> statuses = responses.stream().map(RawHttp.Response::status).toList();
            boolean anyAccepted = statuses.stream().anyMatch(s -> s >= 200 && s < 300);
            for (RawHttp.Response r : responses) {
                if (r.status() >= 500 && !isProtocolRefusal(r.status())) {
                    fiveHundreds++;
                    failures.add(c.name() + ": " + r.status() + " " + abbreviate(r.text()));
                }
            }
            boolean expected = switch (c.expect()) {
                case ANY -> true;
                case ANSWERED -> !statuses.isEmpty();
                case REFUSED -> !statuses.isEmpty() && statuses.stream().allMatch(s -> s >= 400 && s < 500 || isProtocolRefusal(s));
                case ACCEPTED -> !statuses.isEmpty() && statuses.stream().allMatch(s -> s >= 200 && s < 300);
            };
            if (!expected) {
                failures.add(c.name() + ": expected " + c.expect() + ", got " + statuses + " "
                        + responses.stream().map(r -> abbreviate(r.text())).toList());
            }
            afterward(c.name(), anyAccepted);
        }
    }

    private void grpcMutations() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
        try {
            MethodDescriptor<byte[], byte[]> push = MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName("aggregationgateway.v1.AggregationGateway/Push")
                    .setRequestMarshaller(new RawBytes()).setResponseMarshaller(new RawBytes()).build();
            byte[] valid = PushRequest.newBuilder().putGroupingLabels("job", "hostile-grpc")
                    .addFamilies(MetricFamily.newBuilder().setName("grpc_total").setType(MetricType.COUNTER)
                            .addMetric(Metric.newBuilder().addLabel(LabelPair.newBuilder().setName("k").setValue("v"))
                                    .setCounter(Counter.newBuilder().setValue(1))))
                    .addFamilies(MetricFamily.newBuilder().setName("grpc_latency").setType(MetricType.HISTOGRAM)
                            .addMetric(Metric.newBuilder().setHistogram(Histogram.newBuilder().setSampleCount(2).setSampleSum(1))))
                    .build().toByteArray();
            for (int i = 0; i < GRPC_MUTATIONS; i++) {
                StringBuilder what = new StringBuilder();
                byte[] message = new BodyMutator(SEED * 7_919L + i, true).mutate(valid, what);
                grpc(channel, push, "grpc mutation " + i + ": " + what.toString().trim(), message, i % 5 == 0);
            }
            // a rejection quoting a 4,000-byte label: its grpc-message once spun a core in Helidon's header compression
            byte[] nan = PushRequest.newBuilder().addFamilies(MetricFamily.newBuilder().setName("nan_total")
                    .setType(MetricType.COUNTER).addMetric(Metric.newBuilder()
                            .addLabel(LabelPair.newBuilder().setName("k").setValue("x".repeat(4_000)))
                            .setCounter(Counter.newBuilder().setValue(Double.NaN)))).build().toByteArray();
            grpc(channel, push, "grpc-long-rejection-message", nan, false);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void grpc(ManagedChannel channel, MethodDescriptor<byte[], byte[]> push, String name, byte[] message,
                      boolean gzip) throws IOException {
        tried++;
        long start = System.nanoTime();
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        boolean accepted = false;
        try {
            ClientCalls.blockingUnaryCall(channel, push, gzip ? options.withCompression("gzip") : options, message);
            accepted = true;
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code != Status.Code.INVALID_ARGUMENT && code != Status.Code.RESOURCE_EXHAUSTED) {
                fiveHundreds++;
                failures.add(name + ": " + e.getStatus());
            }
        } finally {
            time(name, start);
        }
        afterward(name, accepted);
    }

    /**
     * After an input: a refusal must have changed nothing; an acceptance sets the new baseline. The
     * store is rendered in-process (a scrape short of HTTP), and every so often scraped over HTTP too.
     */
    private void afterward(String name, boolean accepted) throws IOException {
        String now = render();
        if (tried % 100 == 0 && !scrape().equals(now)) {
            failures.add(name + ": a scrape differs from the store's rendering");
        }
        if (accepted) {
            baseline = now;
            if (++acceptedSinceCleanup >= ACCEPTED_BEFORE_CLEANUP) {
                cleanUp();
            }
        } else if (!now.equals(baseline)) {
            failures.add(name + ": refused, yet the scrape changed");
            baseline = now;
        }
    }

    private void cleanUp() throws IOException {
        for (String job : List.of("hostile", "hostile-grpc", "smuggled")) {
            scraper.exchange(HostileCases.request("DELETE", "/metrics/job/" + job, List.of(), null), false);
        }
        acceptedSinceCleanup = 0;
        baseline = render();
    }

    private String render() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TextFormatRenderer().render(gateway.aggregator.families(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private String scrape() throws IOException {
        RawHttp.Response response = scraper.exchange(HostileCases.request("GET", "/metrics", List.of(), null), false);
        if (response.status() != 200) {
            throw new IOException("scrape answered " + response.status() + ": " + response.text());
        }
        return response.text();
    }

    private void time(String name, long start) {
        long took = System.nanoTime() - start;
        if (took > longestNanos) {
            longestNanos = took;
            longestInput = abbreviate(name);
        }
    }

    private static String abbreviate(String s) {
        String flat = s.replace("\n", "\\n");
        return flat.length() <= 160 ? flat : flat.substring(0, 160) + "...";
    }

    /** Asks {@code /-/healthy} every 50 ms on its own connection while the inputs run. */
    private final class HealthWatch implements Runnable {
        final AtomicInteger checks = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicLong slowestNanos = new AtomicLong();
        volatile String firstFailure;
        private final AtomicBoolean done;

        HealthWatch(AtomicBoolean done) {
            this.done = done;
        }

        @Override
        public void run() {
            HttpRequest request = HttpRequest.newBuilder(gateway.uri("/-/healthy")).timeout(Duration.ofSeconds(5)).build();
            while (!done.get()) {
                long start = System.nanoTime();
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        fail("status " + response.statusCode());
                    }
                } catch (IOException e) {
                    fail(e.toString());
                } catch (InterruptedException e) {
                    return;
                }
                checks.incrementAndGet();
                slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void fail(String why) {
            if (failed.incrementAndGet() == 1) {
                firstFailure = why;
            }
        }
    }

    /** gRPC messages as they are: the mutated bytes go out unchanged. */
    private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
