package io.aggregationgateway.server.security;

import io.aggregationgateway.testsupport.TestCertificates;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Why {@link ReloadableSslContext} applies the TLS parameters itself: Helidon 4.4.0, on a listener
 * with stream sockets ({@code useNio(false)}, as the gateway runs), never applies the configured
 * {@code SSLParameters}, so a TLS config requiring client certificates serves a client without
 * one. This test shows the bug and fails once Helidon applies them; then the gateway's own
 * parameters can go to Helidon's {@code Tls} instead.
 */
class HelidonStreamSocketTlsTest {
    @Test
    void helidon440IgnoresRequiredClientAuthOnStreamSockets(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.createCa(dir, "ca");
        certificates.server("server");
        Keys keys = Keys.builder().pem(pem -> pem.key(Resource.create(certificates.key("server")))
                .certChain(Resource.create(certificates.certificate("server")))).build();
        Keys trust = Keys.builder().pem(pem -> pem.certificates(Resource.create(certificates.caCertificate()))).build();
        Tls tls = Tls.builder().privateKey(keys.privateKey().orElseThrow()).privateKeyCertChain(keys.certChain())
                .trust(trust.certs()).clientAuth(TlsClientAuth.REQUIRED).build();
        WebServer server = WebServer.builder().host("127.0.0.1").port(0).useNio(false).tls(tls)
                .routing(routing -> routing.get("/", (req, res) -> res.send("served"))).build().start();
        try (HttpClient client = HttpClient.newBuilder().sslContext(certificates.clientContext(null))
                .version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("served", response.body(), "a client without a certificate was served although one is required");
        } finally {
            server.stop();
        }
    }
}
