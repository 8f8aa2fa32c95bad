package io.aggregationgateway.server.security;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.proto.v1.PushResponse;
import io.aggregationgateway.testsupport.RequiredExecutable;
import io.aggregationgateway.testsupport.TestCertificates;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The gateway with a web config file, through real clients on loopback: TLS for HTTP/1.1, HTTP/2
 * and gRPC on one port, each role open and closed, a changed certificate and user list taking
 * effect without a restart, and nothing changed by any refused request.
 */
class SecureGatewayTest {
    private static final String PUSH = "# TYPE secure_total counter\nsecure_total 1\n";
    @TempDir
    static Path dir;
    private static SecureGateway secure;

    @BeforeAll
    static void start() throws Exception {
        secure = SecureGateway.start(dir.resolve("main"), "", "--public-read", "false");
    }

    @AfterAll
    static void stop() {
        if (secure != null) {
            secure.close();
        }
    }

    private static String curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(RequiredExecutable.require("/usr/bin/curl", "curl").toString(),
                "-sS", "--max-time", "20", "--noproxy", "*", "--cacert", secure.certificates.caCertificate().toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Runs a peer on loopback (at most 30 s); it must succeed. Its output and errors, together. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + ": " + output);
        return output;
    }

    /**
     * nghttp (Debian's nghttp2-client) asks for h2 by ALPN. It does not check the certificate
     * (it warns), so this is about the protocol: HTTP/2 over TLS, through the front door.
     */
    private static String nghttp(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(RequiredExecutable.require("/usr/bin/nghttp", "nghttp2-client").toString(),
                "--timeout", "20"));
        command.addAll(List.of(args));
        return run(command);
    }

    private static double value(String exposition, String series) {
        return exposition.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1))).orElse(0.0);
    }

    @Test
    void curlPushesAndScrapesOverHttp1AndHttp2() throws Exception {
        String url = "https://127.0.0.1:" + secure.gateway.port();
        double before = value(secure.scrape(), "curl_total{job=\"curl\"}");
        assertEquals("200 1.1", curl("-o", "/dev/null", "-w", "%{http_code} %{http_version}", "--http1.1",
                "-u", SecureGateway.PUSHER + ":" + SecureGateway.PUSHER_PASSWORD,
                "--data-binary", "curl_total 2\n", url + "/metrics/job/curl"));
        assertEquals("200 2", curl("-o", "/dev/null", "-w", "%{http_code} %{http_version}", "--http2",
                "-u", SecureGateway.PUSHER + ":" + SecureGateway.PUSHER_PASSWORD,
                "--data-binary", "curl_total 3\n", url + "/metrics/job/curl"));
        String scraped = curl("--http2", "-u", SecureGateway.READER + ":" + SecureGateway.READER_PASSWORD, url + "/metrics");
        assertEquals(before + 5, value(scraped, "curl_total{job=\"curl\"}"), scraped);
        String refused = curl("-i", "--http1.1", url + "/metrics");
        assertTrue(refused.startsWith("HTTP/1.1 401"), refused);
        assertTrue(refused.contains("WWW-Authenticate: Basic realm=\"aggregation-gateway\", charset=\"UTF-8\"\r\n"), refused);
        assertTrue(refused.contains("Content-Type: text/plain; charset=utf-8\r\n"), refused);
        assertTrue(refused.contains("X-Content-Type-Options: nosniff\r\n"), refused);
    }

    @Test
    void nghttpPushesAndScrapesOverHttp2WithAlpn() throws Exception {
        String url = "https://127.0.0.1:" + secure.gateway.port();
        Path body = Files.writeString(dir.resolve("nghttp-push.txt"), "nghttp_total 5\n");
        String pushed = nghttp("-v", "-d", body.toString(), "-H", "authorization: "
                + SecureGateway.basic(SecureGateway.PUSHER, SecureGateway.PUSHER_PASSWORD), url + "/metrics/job/nghttp");
        assertTrue(pushed.contains("The negotiated protocol: h2"), pushed);
        assertTrue(pushed.contains(":status: 200"), pushed);
        String refused = nghttp("-v", "-d", body.toString(), url + "/metrics/job/nghttp");
        assertTrue(refused.contains(":status: 401"), refused);
        assertTrue(refused.contains("www-authenticate: Basic realm=\"aggregation-gateway\""), refused);
        String scraped = nghttp("-H", "authorization: " + SecureGateway.basic(SecureGateway.READER,
                SecureGateway.READER_PASSWORD), url + "/metrics");
        assertTrue(scraped.contains("nghttp_total{job=\"nghttp\"} 5\n"), scraped);
    }

    @Test
    void theStatusPagesNeverShowAHashOrAPassword() throws Exception {
        List<String> secrets = new ArrayList<>();
        for (String[] user : new String[][] {{SecureGateway.OPS, SecureGateway.OPS_PASSWORD},
                {SecureGateway.PUSHER, SecureGateway.PUSHER_PASSWORD}, {SecureGateway.READER, SecureGateway.READER_PASSWORD}}) {
            secrets.add(SecureGateway.hash(user[0], user[1]));
            secrets.add(user[1]);
        }
        for (String path : List.of("/", "/status", "/api/v1/status")) {
            HttpResponse<String> page = secure.send("GET", path, null, SecureGateway.READER, SecureGateway.READER_PASSWORD);
            assertEquals(200, page.statusCode(), path);
            assertTrue(page.body().contains("web-config-file"), path + " lists the settings in force: " + page.body());
            for (String secret : secrets) {
                assertFalse(page.body().contains(secret), path + " shows " + secret);
            }
            assertFalse(page.body().contains("$2y$"), path + " shows a bcrypt hash");
        }
    }

    @Test
    void deletingAFamilyTakesTheAdminRole() throws Exception {
        assertEquals(200, secure.send("POST", "/metrics/job/doomed", "# TYPE doomed_total counter\ndoomed_total 1\n",
                SecureGateway.PUSHER, SecureGateway.PUSHER_PASSWORD).statusCode());
        for (String[] user : new String[][] {{SecureGateway.PUSHER, SecureGateway.PUSHER_PASSWORD},
                {SecureGateway.READER, SecureGateway.READER_PASSWORD}}) {
            assertEquals(403, secure.send("DELETE", "/api/v1/families/doomed_total", null, user[0], user[1]).statusCode());
            assertTrue(secure.scrape().contains("doomed_total{job=\"doomed\"} 1"), "still there after " + user[0]);
        }
        assertEquals(200, secure.send("DELETE", "/api/v1/families/doomed_total", null, SecureGateway.OPS,
                SecureGateway.OPS_PASSWORD).statusCode());
        assertFalse(secure.scrape().contains("doomed_total"), "gone after ops");
    }

    @Test
    void browserPushesStillNeedAnAllowedOriginWhenAnyoneMayPush(@TempDir Path own) throws Exception {
        try (SecureGateway gateway = SecureGateway.start(own, "", "--public-push", "true",
                "--cors-origin", "https://app.example")) {
            String body = "# TYPE browser_total counter\nbrowser_total 1\n";
            HttpResponse<String> stranger = gateway.send("POST", "/metrics/job/browser", body, Map.of("Origin", "https://evil.example"));
            assertEquals(403, stranger.statusCode(), stranger.body());
            HttpResponse<String> allowed = gateway.send("POST", "/metrics/job/browser", body, Map.of("Origin", "https://app.example"));
            assertEquals(200, allowed.statusCode(), allowed.body());
            assertEquals("https://app.example", allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            HttpResponse<String> preflight = gateway.send("OPTIONS", "/metrics/job/browser", null, Map.of("Origin",
                    "https://app.example", "Access-Control-Request-Method", "POST"));
            assertEquals(204, preflight.statusCode(), "preflights carry no credentials and stay open");
            assertTrue(gateway.scrape().contains("browser_total{job=\"browser\"} 1\n"), "the refused push added nothing");
            assertEquals(401, gateway.send("GET", "/metrics", null, Map.of("Origin", "https://app.example")).statusCode(),
                    "only pushing is open");
        }
    }

    @Test
    void grpcHealthStaysOpenAndReflectionTakesTheReadRole() throws Exception {
        ChannelCredentials tls = TlsChannelCredentials.newBuilder().trustManager(secure.certificates.trustManager()).build();
        int port = secure.gateway.port();
        ManagedChannel nobody = grpcChannel(port, tls, null, null);
        ManagedChannel pusher = grpcChannel(port, tls, SecureGateway.PUSHER, SecureGateway.PUSHER_PASSWORD);
        ManagedChannel reader = grpcChannel(port, tls, SecureGateway.READER, SecureGateway.READER_PASSWORD);
        try {
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(nobody)
                    .withDeadlineAfter(20, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
            assertEquals(Status.Code.UNAUTHENTICATED, reflectionOutcome(nobody));
            assertEquals(Status.Code.PERMISSION_DENIED, reflectionOutcome(pusher));
            assertEquals(Status.Code.OK, reflectionOutcome(reader));
        } finally {
            for (ManagedChannel channel : List.of(nobody, pusher, reader)) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Asks reflection for the services: {@code OK} when it answers, else the status the call ended with. */
    private static Status.Code reflectionOutcome(ManagedChannel channel) throws Exception {
        CompletableFuture<Status.Code> outcome = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS).serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        outcome.complete(response.hasListServicesResponse() ? Status.Code.OK : Status.Code.UNKNOWN);
                    }

                    @Override
                    public void onError(Throwable t) {
                        outcome.complete(Status.fromThrowable(t).getCode());
                    }

                    @Override
                    public void onCompleted() {
                        outcome.complete(Status.Code.UNKNOWN);
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        Status.Code code = outcome.get(30, TimeUnit.SECONDS);
        requests.onCompleted();
        return code;
    }

    @Test
    void theServerPrefersAes128AsGoDoes() throws Exception {
        try (SSLSocket socket = (SSLSocket) secure.clientContext(null).getSocketFactory().createSocket("127.0.0.1",
                secure.gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.setEnabledCipherSuites(new String[] {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"});
            socket.startHandshake();
            assertEquals("TLS_AES_128_GCM_SHA256", socket.getSession().getCipherSuite(), "the client listed AES-256 first");
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
        }
    }

    @Test
    void plainHttpOnTheTlsPortGetsNoService() throws Exception {
        try (RunningGatewayPlainProbe probe = new RunningGatewayPlainProbe(secure.gateway.port())) {
            assertFalse(probe.answersHttp(), "a plaintext request must not be served");
        }
    }

    @Test
    void eachRoleOpenAndClosed() throws Exception {
        record Case(String method, String path, String body, String user, String password, int status) {
        }
        String ops = SecureGateway.OPS;
        String opsPw = SecureGateway.OPS_PASSWORD;
        String pusher = SecureGateway.PUSHER;
        String pusherPw = SecureGateway.PUSHER_PASSWORD;
        String reader = SecureGateway.READER;
        String readerPw = SecureGateway.READER_PASSWORD;
        List<Case> cases = List.of(
                new Case("GET", "/-/healthy", null, null, null, 200),
                new Case("GET", "/-/ready", null, null, null, 200),
                new Case("POST", "/metrics/job/roles", PUSH, null, null, 401),
                new Case("POST", "/metrics/job/roles", PUSH, ops, "wrong", 401),
                new Case("POST", "/metrics/job/roles", PUSH, "mallory", opsPw, 401),
                new Case("POST", "/metrics/job/roles", PUSH, reader, readerPw, 403),
                new Case("POST", "/metrics/job/roles", PUSH, pusher, pusherPw, 200),
                new Case("PUT", "/metrics/job/roles", PUSH, pusher, pusherPw, 200),
                new Case("GET", "/metrics", null, null, null, 401),
                new Case("GET", "/metrics", null, pusher, pusherPw, 403),
                new Case("GET", "/metrics", null, reader, readerPw, 200),
                new Case("GET", "/", null, null, null, 401),
                new Case("GET", "/status", null, reader, readerPw, 200),
                new Case("GET", "/api/v1/status", null, null, null, 401),
                new Case("GET", "/api/v1/families", null, pusher, pusherPw, 403),
                new Case("GET", "/api/v1/families", null, reader, readerPw, 200),
                new Case("DELETE", "/metrics/job/nothing-here", null, null, null, 401),
                new Case("DELETE", "/metrics/job/nothing-here", null, pusher, pusherPw, 403),
                new Case("DELETE", "/metrics/job/nothing-here", null, reader, readerPw, 403),
                new Case("DELETE", "/metrics/job/nothing-here", null, ops, opsPw, 202),
                new Case("DELETE", "/api/v1/families/nothing_here", null, reader, readerPw, 403),
                new Case("DELETE", "/api/v1/families/nothing_here", null, ops, opsPw, 404),
                new Case("GET", "/no/such/route", null, reader, readerPw, 404));
        for (Case c : cases) {
            HttpResponse<String> response = secure.send(c.method(), c.path(), c.body(), c.user(), c.password());
            String what = c.method() + " " + c.path() + " as " + c.user();
            assertEquals(c.status(), response.statusCode(), what + ": " + response.body());
            assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(null), what);
            if (c.status() >= 400) {
                assertEquals("text/plain; charset=utf-8", response.headers().firstValue("Content-Type").orElse(null), what);
            }
            if (c.status() == 401) {
                assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="), what);
            }
        }
    }

    @Test
    void refusedRequestsChangeNothing() throws Exception {
        secure.send("POST", "/metrics/job/kept", "# TYPE kept_total counter\nkept_total 7\n",
                SecureGateway.PUSHER, SecureGateway.PUSHER_PASSWORD);
        String before = secure.scrape().replaceAll("(?m)^aggregation_gateway_.*\\n", "").replaceAll("(?m)^# .*aggregation_gateway_.*\\n", "");
        assertEquals(401, secure.send("POST", "/metrics/job/kept", "kept_total 1\n", null, null).statusCode());
        assertEquals(401, secure.send("PUT", "/metrics/job/kept", "kept_total 1\n", SecureGateway.PUSHER, "nope").statusCode());
        assertEquals(403, secure.send("POST", "/metrics/job/kept", "kept_total 1\n", SecureGateway.READER,
                SecureGateway.READER_PASSWORD).statusCode());
        assertEquals(403, secure.send("DELETE", "/metrics/job/kept", null, SecureGateway.PUSHER,
                SecureGateway.PUSHER_PASSWORD).statusCode());
        assertEquals(401, secure.send("DELETE", "/api/v1/families/kept_total", null, null, null).statusCode());
        String after = secure.scrape().replaceAll("(?m)^aggregation_gateway_.*\\n", "").replaceAll("(?m)^# .*aggregation_gateway_.*\\n", "");
        assertEquals(before, after);
        assertTrue(after.contains("kept_total{job=\"kept\"} 7"), after);
    }

    private static ManagedChannel grpcChannel(int port, ChannelCredentials credentials, String user, String password) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
        if (user == null) {
            return channel;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), SecureGateway.basic(user, password));
        return new InterceptedChannel(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    static PushRequest grpcPush(String name, double value) {
        return PushRequest.newBuilder().putGroupingLabels("job", "grpc").addFamilies(MetricFamily.newBuilder()
                .setName(name).setType(MetricType.COUNTER)
                .addMetric(Metric.newBuilder().setCounter(Counter.newBuilder().setValue(value)))).build();
    }

    @Test
    void grpcOverTlsWithCredentialsInTheMetadata() throws Exception {
        ChannelCredentials tls = TlsChannelCredentials.newBuilder().trustManager(secure.certificates.trustManager()).build();
        int port = secure.gateway.port();
        double before = value(secure.scrape(), "grpc_secure_total{job=\"grpc\"}");
        ManagedChannel pusher = grpcChannel(port, tls, SecureGateway.PUSHER, SecureGateway.PUSHER_PASSWORD);
        ManagedChannel nobody = grpcChannel(port, tls, null, null);
        ManagedChannel reader = grpcChannel(port, tls, SecureGateway.READER, SecureGateway.READER_PASSWORD);
        ManagedChannel wrong = grpcChannel(port, tls, SecureGateway.PUSHER, "guess");
        try {
            PushResponse accepted = AggregationGatewayGrpc.newBlockingStub(pusher).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .push(grpcPush("grpc_secure_total", 4));
            assertEquals(1, accepted.getSeries());
            StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class, () -> AggregationGatewayGrpc
                    .newBlockingStub(nobody).withDeadlineAfter(20, TimeUnit.SECONDS).push(grpcPush("grpc_secure_total", 100)));
            assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode());
            assertEquals("this gateway needs a user name and password (HTTP basic authentication)",
                    anonymous.getStatus().getDescription());
            StatusRuntimeException guessed = assertThrows(StatusRuntimeException.class, () -> AggregationGatewayGrpc
                    .newBlockingStub(wrong).withDeadlineAfter(20, TimeUnit.SECONDS).push(grpcPush("grpc_secure_total", 100)));
            assertEquals(Status.Code.UNAUTHENTICATED, guessed.getStatus().getCode());
            StatusRuntimeException denied = assertThrows(StatusRuntimeException.class, () -> AggregationGatewayGrpc
                    .newBlockingStub(reader).withDeadlineAfter(20, TimeUnit.SECONDS).push(grpcPush("grpc_secure_total", 100)));
            assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
            assertEquals("user reader does not have the push role", denied.getStatus().getDescription());
        } finally {
            for (ManagedChannel channel : List.of(pusher, nobody, reader, wrong)) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        assertEquals(before + 4, value(secure.scrape(), "grpc_secure_total{job=\"grpc\"}"), "only the allowed push landed");
    }

    @Test
    void plaintextGrpcOnTheTlsPortFails() throws Exception {
        ManagedChannel plain = grpcChannel(secure.gateway.port(), InsecureChannelCredentials.create(),
                SecureGateway.PUSHER, SecureGateway.PUSHER_PASSWORD);
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> AggregationGatewayGrpc
                    .newBlockingStub(plain).withDeadlineAfter(10, TimeUnit.SECONDS).push(grpcPush("plain_total", 1)));
            assertTrue(e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.INTERNAL
                    || e.getStatus().getCode() == Status.Code.UNKNOWN, e.getStatus().toString());
        } finally {
            plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** The certificate the gateway presents to a new connection. */
    static String servedFingerprint(int port, SSLContext context) throws Exception {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return TestCertificates.fingerprint(socket.getSession().getPeerCertificates()[0]);
        }
    }

    @Test
    void aChangedCertificateAndUserListTakeEffectWithoutARestart(@TempDir Path own) throws Exception {
        try (SecureGateway gateway = SecureGateway.start(own, "")) {
            int port = gateway.gateway.port();
            SSLContext client = gateway.clientContext(null);
            String first = TestCertificates.fingerprint(gateway.certificates.certificate("server"));
            assertEquals(first, servedFingerprint(port, client));
            assertEquals(200, gateway.send("GET", "/metrics", null, SecureGateway.OPS, SecureGateway.OPS_PASSWORD).statusCode());

            // a renewed certificate, written in place as cert-manager and certbot do; and ops changes password, reader goes
            Path renewed = gateway.certificates.server("renewed");
            Files.copy(gateway.certificates.key("renewed"), gateway.certificates.key("server"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed, gateway.certificates.certificate("server"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            gateway.rewriteWebConfig(SecureGateway.webConfig("", Map.of(SecureGateway.OPS, "new-ops-secret",
                    SecureGateway.PUSHER, SecureGateway.PUSHER_PASSWORD, SecureGateway.READER, SecureGateway.READER_PASSWORD)));
            assertTrue(gateway.gateway.reloadWebConfig(), "what SIGHUP does");
            String second = TestCertificates.fingerprint(renewed);
            assertFalse(first.equals(second));
            assertEquals(second, servedFingerprint(port, client), "new connections get the renewed certificate");
            assertEquals(401, gateway.send("GET", "/metrics", null, SecureGateway.OPS, SecureGateway.OPS_PASSWORD).statusCode());
            assertEquals(200, gateway.send("GET", "/metrics", null, SecureGateway.OPS, "new-ops-secret").statusCode());
            assertFalse(gateway.gateway.reloadWebConfig(), "nothing changed since");

            // a broken file keeps what is in force
            gateway.rewriteWebConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cert_fil: typo\n");
            assertFalse(gateway.gateway.reloadWebConfig());
            Files.writeString(gateway.certificates.key("server"), "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
            gateway.rewriteWebConfig(SecureGateway.webConfig("", Map.of(SecureGateway.OPS, "third")));
            assertFalse(gateway.gateway.reloadWebConfig(), "a key that cannot be read");
            assertEquals(second, servedFingerprint(port, client));
            assertEquals(200, gateway.send("GET", "/metrics", null, SecureGateway.OPS, "new-ops-secret").statusCode());
            assertEquals(401, gateway.send("GET", "/metrics", null, SecureGateway.OPS, "third").statusCode());

            // the watcher notices a fixed key by itself, without SIGHUP
            Files.copy(gateway.certificates.key("renewed"), gateway.certificates.key("server"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int status;
            do {
                Thread.sleep(250);
                status = gateway.send("GET", "/metrics", null, SecureGateway.OPS, "third").statusCode();
            } while (status != 200 && System.nanoTime() < deadline);
            assertEquals(200, status, "the polled file took effect within " + Security.POLL_SECONDS + " s or so");
        }
    }

    @Test
    void clientCertificatesSignedByTheClientCaAreRequired(@TempDir Path own) throws Exception {
        try (SecureGateway gateway = SecureGateway.start(own,
                "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: test-ca.crt\n")) {
            gateway.certificates.client("good-client");
            TestCertificates stranger = TestCertificates.createCa(own.resolve("other"), "other-ca");
            stranger.client("stranger");
            int port = gateway.gateway.port();
            assertTrue(servedFingerprint(port, gateway.clientContext("good-client")).length() > 0);
            assertHandshakeFails(port, gateway.clientContext(null));
            assertHandshakeFails(port, stranger.clientContext("stranger", gateway.certificates.trustManager()));
        }
    }

    private static void assertHandshakeFails(int port, SSLContext context) {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            // TLS 1.3: the server's refusal of the client's certificate arrives after the client's handshake is done
            socket.getOutputStream().write("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            int read = socket.getInputStream().read();
            assertEquals(-1, read, "the server must not answer");
        } catch (SSLHandshakeException | SocketException expected) {
            return;
        } catch (javax.net.ssl.SSLException expected) {
            return;
        } catch (IOException e) {
            fail("unexpected " + e);
        }
    }

    /** A plain-text HTTP/1.1 request to a TLS port: it must not be served. */
    private static final class RunningGatewayPlainProbe implements AutoCloseable {
        private final java.net.Socket socket;

        RunningGatewayPlainProbe(int port) throws IOException {
            socket = new java.net.Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
        }

        boolean answersHttp() throws IOException {
            socket.getOutputStream().write("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            try {
                byte[] head = socket.getInputStream().readNBytes(8);
                return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1");
            } catch (SocketException reset) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A channel with an interceptor, closable as the channel it wraps. */
    private static final class InterceptedChannel extends ManagedChannel {
        private final ManagedChannel channel;
        private final io.grpc.Channel intercepted;

        InterceptedChannel(ManagedChannel channel, io.grpc.ClientInterceptor interceptor) {
            this.channel = channel;
            this.intercepted = io.grpc.ClientInterceptors.intercept(channel, interceptor);
        }

        @Override
        public <Q, R> io.grpc.ClientCall<Q, R> newCall(io.grpc.MethodDescriptor<Q, R> method, io.grpc.CallOptions options) {
            return intercepted.newCall(method, options);
        }

        @Override
        public String authority() {
            return channel.authority();
        }

        @Override
        public ManagedChannel shutdown() {
            return channel.shutdown();
        }

        @Override
        public boolean isShutdown() {
            return channel.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return channel.isTerminated();
        }

        @Override
        public ManagedChannel shutdownNow() {
            return channel.shutdownNow();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return channel.awaitTermination(timeout, unit);
        }
    }
}
