package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.support.RunningGateway;
import io.aggregationgateway.testsupport.Htpasswd;
import io.aggregationgateway.testsupport.RealPrometheus;
import io.aggregationgateway.testsupport.SystemPython;
import io.aggregationgateway.testsupport.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real third-party clients of a gateway with TLS and users: Debian's client_python pushes with
 * {@code push_to_gateway} and its {@code basic_auth_handler} over HTTPS, and a real Prometheus
 * scrapes with {@code basic_auth} and {@code tls_config}, as operators configure them.
 */
class SecurePeersE2ETest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    @TempDir
    static Path dir;
    private static TestCertificates certificates;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.createCa(dir.resolve("tls"), "ca");
        certificates.server("gateway");
        Path webConfig = dir.resolve("web.yml");
        Files.writeString(webConfig, """
                tls_server_config:
                  cert_file: tls/gateway.crt
                  key_file: tls/gateway.key
                basic_auth_users:
                  python: '%s'
                  prometheus: '%s'
                """.formatted(Htpasswd.bcrypt("python", "py-secret"), Htpasswd.bcrypt("prometheus", "prom-secret")));
        gateway = new RunningGateway("--web-config-file", webConfig.toString(),
                "--user-roles", "python=push", "--user-roles", "prometheus=read");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void clientPythonPushesWithBasicAuthOverHttps() throws Exception {
        SystemPython python = new SystemPython(dir);
        String url = "https://127.0.0.1:" + gateway.port();
        String ca = certificates.caCertificate().toString();
        assertEquals("pushed", python.run("python_secure_push.py", LIMIT, url, ca, "python", "py-secret", "2").strip());
        assertEquals("pushed", python.run("python_secure_push.py", LIMIT, url, ca, "python", "py-secret", "3").strip());
        assertEquals("refused 401 Basic realm=\"aggregation-gateway\", charset=\"UTF-8\"",
                python.run("python_secure_push.py", LIMIT, url, ca, "python", "wrong", "100").strip());
        assertEquals("refused 403 None", python.run("python_secure_push.py", LIMIT, url, ca, "prometheus", "prom-secret", "100").strip());
    }

    @Test
    void prometheusScrapesWithBasicAuthAndTlsConfig() throws Exception {
        SystemPython python = new SystemPython(dir);
        python.run("python_secure_push.py", LIMIT, "https://127.0.0.1:" + gateway.port(),
                certificates.caCertificate().toString(), "python", "py-secret", "7");
        Path work = Files.createDirectories(dir.resolve("prometheus"));
        String scrape = """
                    scheme: https
                    basic_auth:
                      username: prometheus
                      password: prom-secret
                    tls_config:
                      ca_file: %s
                """.formatted(certificates.caCertificate());
        try (RealPrometheus prometheus = RealPrometheus.startScraping(work, List.of("127.0.0.1:" + gateway.port()), scrape)) {
            prometheus.awaitResult("py_secure_jobs_total{job=\"python\"}", samples -> samples.size() == 1
                    && samples.getFirst().value() >= 7, "a value of at least 7 (the other test adds 5)", Duration.ofSeconds(60));
            prometheus.awaitValue("up", 1, Duration.ofSeconds(30));
        }
    }
}
