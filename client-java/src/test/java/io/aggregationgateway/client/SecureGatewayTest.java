package io.aggregationgateway.client;

import io.aggregationgateway.testsupport.Htpasswd;
import io.aggregationgateway.testsupport.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's TLS and header options against the real gateway with a web config file: pushes
 * over HTTPS and gRPC with TLS, credentials in {@code Authorization}, a private CA's trust manager.
 */
class SecureGatewayTest {
    @TempDir
    static Path dir;
    private static TestCertificates certificates;
    private static InProcessGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.createCa(dir, "ca");
        certificates.server("gateway");
        Path webConfig = dir.resolve("web.yml");
        Files.writeString(webConfig, """
                tls_server_config:
                  cert_file: gateway.crt
                  key_file: gateway.key
                basic_auth_users:
                  app: '%s'
                """.formatted(Htpasswd.bcrypt("app", "app-secret")));
        gateway = new InProcessGateway("--web-config-file", webConfig.toString());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The scrape over HTTPS as the app user. */
    private static String scrape() throws Exception {
        try (HttpClient http = HttpClient.newBuilder().sslContext(certificates.clientContext(null)).build()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("https://" + gateway.address() + "/metrics"))
                    .header("Authorization", basic("app", "app-secret")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return response.body();
        }
    }

    @Test
    void pushesOverHttpsAndGrpcWithTlsAndBasicAuth() throws Exception {
        for (Transport transport : new Transport[] {Transport.HTTP_TEXT, Transport.HTTP_PROTOBUF}) {
            try (PushClient client = PushClient.builder().target("https://" + gateway.address()).job("tls-" + transport.name().toLowerCase())
                    .source(Fixtures.rawSource()).transport(transport).trustManager(certificates.trustManager())
                    .header("Authorization", basic("app", "app-secret")).build()) {
                client.push();
            }
        }
        try (PushClient client = PushClient.builder().target(gateway.address()).job("tls-grpc").source(Fixtures.rawSource())
                .tls(true).trustManager(certificates.trustManager()).header("Authorization", basic("app", "app-secret")).build()) {
            client.push();
        }
        String scraped = scrape();
        for (String job : new String[] {"tls-http_text", "tls-http_protobuf", "tls-grpc"}) {
            assertTrue(scraped.contains("job=\"" + job + "\""), job + " missing from\n" + scraped);
        }
    }

    @Test
    void wrongCredentialsFailAtOnceWithoutRetries() throws Exception {
        String before = scrape();
        try (PushClient http = PushClient.builder().target("https://" + gateway.address()).job("refused").source(Fixtures.rawSource())
                .transport(Transport.HTTP_PROTOBUF).trustManager(certificates.trustManager()).maxAttempts(3)
                .header("Authorization", basic("app", "guess")).build();
             PushClient grpc = PushClient.builder().target(gateway.address()).job("refused").source(Fixtures.rawSource())
                     .tls(true).trustManager(certificates.trustManager()).maxAttempts(3).build()) {
            PushException overHttp = assertThrows(PushException.class, http::push);
            assertEquals(401, overHttp.httpStatus().orElse(0));
            assertEquals(1, overHttp.attempts());
            assertFalse(overHttp.isRetryable());
            PushException overGrpc = assertThrows(PushException.class, grpc::push);
            assertEquals("UNAUTHENTICATED", overGrpc.grpcStatus().orElse(""));
            assertEquals(1, overGrpc.attempts(), overGrpc::getMessage);
            assertFalse(overGrpc.isRetryable());
        }
        assertFalse(scrape().contains("job=\"refused\""));
        assertEquals(before.lines().filter(l -> !l.startsWith("aggregation_gateway_") && !l.startsWith("# ")).toList(),
                scrape().lines().filter(l -> !l.startsWith("aggregation_gateway_") && !l.startsWith("# ")).toList());
    }
}
