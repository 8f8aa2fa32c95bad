package io.aggregationgateway.server.security;

import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.proto.v1.PushResponse;
import io.aggregationgateway.server.support.RunningGateway;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rate limits, allow rules and per-family caps through the real server: every refusal names its
 * reason, and what was accepted adds up exactly.
 */
class PushLimitsTest {
    // a rate so low that no token comes back during the test: the burst is all a client gets
    private static final String[] LIMITED = {"--push-rate-limit", "0.001", "--push-rate-burst", "5"};

    /** One HTTP answer, its body as text. */
    private record Reply(int statusCode, java.net.http.HttpHeaders headers, String body) {
    }

    private static Reply push(RunningGateway gateway, String body, String forwardedFor) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri("/metrics/job/limits"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        HttpResponse<byte[]> response = gateway.send(request);
        return new Reply(response.statusCode(), response.headers(), new String(response.body(), StandardCharsets.UTF_8));
    }

    private static double value(RunningGateway gateway, String series) throws Exception {
        return gateway.scrape().lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1))).orElse(0.0);
    }

    @Test
    void acceptedPushesAddUpExactlyToTheBurst() throws Exception {
        try (RunningGateway gateway = new RunningGateway(LIMITED)) {
            int accepted = 0;
            int throttled = 0;
            for (int i = 0; i < 12; i++) {
                Reply response = push(gateway, "rate_total 1\n", null);
                if (response.statusCode() == 200) {
                    accepted++;
                } else {
                    throttled++;
                    assertEquals(429, response.statusCode(), response.body());
                    long retryAfter = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
                    assertTrue(retryAfter >= 1 && retryAfter <= 1000, "Retry-After " + retryAfter);
                    assertEquals("push rate limit exceeded for client 127.0.0.1: at most 0.001 pushes per second"
                            + " (--push-rate-limit); retry in " + retryAfter + " s\n", response.body());
                    assertEquals("text/plain; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
                    assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElseThrow());
                }
            }
            assertEquals(5, accepted);
            assertEquals(7, throttled);
            assertEquals(5.0, value(gateway, "rate_total{job=\"limits\"}"), "every accepted push, none of the refused");
            assertEquals(200, gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics"))).statusCode(), "scrapes are not limited");
            assertEquals(200, gateway.send(HttpRequest.newBuilder(gateway.uri("/-/healthy"))).statusCode());
        }
    }

    @Test
    void forwardedForNamesTheClientOnlyBehindATrustedProxy() throws Exception {
        try (RunningGateway untrusted = new RunningGateway(LIMITED)) {
            int accepted = 0;
            for (int i = 0; i < 10; i++) {
                accepted += push(untrusted, "xff_total 1\n", "192.0.2." + i).statusCode() == 200 ? 1 : 0;
            }
            assertEquals(5, accepted, "the header of a client that is not a trusted proxy is ignored");
        }
        String[] trusted = {"--push-rate-limit", "0.001", "--push-rate-burst", "5", "--trusted-proxy", "127.0.0.0/8"};
        try (RunningGateway proxied = new RunningGateway(trusted)) {
            int accepted = 0;
            for (String client : new String[] {"192.0.2.1", "192.0.2.2"}) {
                for (int i = 0; i < 7; i++) {
                    // the leftmost entry is the client's own claim, changed on every push: it does not matter
                    accepted += push(proxied, "xff_total 1\n", "10.9.9." + i + ", " + client).statusCode() == 200 ? 1 : 0;
                }
            }
            assertEquals(10, accepted, "five for each client the proxy names");
            Reply refused = push(proxied, "xff_total 1\n", "192.0.2.2");
            assertEquals(429, refused.statusCode());
            assertTrue(refused.body().startsWith("push rate limit exceeded for client 192.0.2.2:"), refused.body());
            assertEquals(10.0, value(proxied, "xff_total{job=\"limits\"}"));
        }
    }

    @Test
    void grpcPushesTakeTokensPerMessage() throws Exception {
        try (RunningGateway gateway = new RunningGateway(LIMITED)) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
            try {
                PushResponse first = AggregationGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .push(SecureGatewayTest.grpcPush("grpc_rate_total", 1));
                assertEquals(1, first.getSeries());
                CompletableFuture<PushResponse> reply = new CompletableFuture<>();
                StreamObserver<PushRequest> stream = AggregationGatewayGrpc.newStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .pushStream(new StreamObserver<>() {
                            public void onNext(PushResponse value) {
                                reply.complete(value);
                            }

                            public void onError(Throwable t) {
                                reply.completeExceptionally(t);
                            }

                            public void onCompleted() {
                            }
                        });
                for (int i = 0; i < 8; i++) {
                    stream.onNext(SecureGatewayTest.grpcPush("grpc_rate_total", 1));
                }
                stream.onCompleted();
                Throwable failure = assertThrows(Exception.class, () -> reply.get(20, TimeUnit.SECONDS)).getCause();
                Status status = ((StatusRuntimeException) failure).getStatus();
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
                assertTrue(status.getDescription().startsWith("push rate limit exceeded for client 127.0.0.1:"), status.toString());
                StatusRuntimeException unary = assertThrows(StatusRuntimeException.class, () -> AggregationGatewayGrpc
                        .newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).push(SecureGatewayTest.grpcPush("grpc_rate_total", 1)));
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, unary.getStatus().getCode());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            assertEquals(5.0, value(gateway, "grpc_rate_total{job=\"grpc\"}"), "one unary push and four stream messages");
        }
    }

    @Test
    void allowRulesAndPerFamilyCapsOverHttpAndGrpc() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--allow-metric", "app_.*", "--allow-metric", "grpc_.*",
                "--max-series-per-family", "2")) {
            Reply notAllowed = push(gateway, "app_ok_total 1\nsecret_total 1\n", null);
            assertEquals(400, notAllowed.statusCode());
            assertEquals("family secret_total: not allowed here, its name matches no --allow-metric pattern (app_.*, grpc_.*)\n",
                    notAllowed.body());
            assertEquals(0.0, value(gateway, "app_ok_total{job=\"limits\"}"), "refused whole");

            assertEquals(200, push(gateway, "app_wide{a=\"1\"} 1\napp_wide{a=\"2\"} 1\n", null).statusCode());
            Reply tooWide = push(gateway, "app_wide{a=\"3\"} 1\n", null);
            assertEquals(429, tooWide.statusCode());
            assertTrue(tooWide.body().startsWith("family app_wide: push refused: its 1 new series would exceed the limit of 2"
                    + " series per family (--max-series-per-family)"), tooWide.body());
            assertEquals(200, push(gateway, "app_wide{a=\"1\"} 1\n", null).statusCode(), "existing series still take pushes");

            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> AggregationGatewayGrpc
                        .newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).push(SecureGatewayTest.grpcPush("other_total", 1)));
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
                assertTrue(e.getStatus().getDescription().startsWith("family other_total: not allowed here"), e.getStatus().toString());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
