package io.aggregationgateway.server.security;

import io.aggregationgateway.server.support.RunningGateway;
import io.aggregationgateway.testsupport.Htpasswd;
import io.aggregationgateway.testsupport.TestCertificates;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real gateway on loopback with a web config file: TLS with a certificate signed by a test
 * CA, and users whose bcrypt hashes htpasswd made. Hashes are made once per password and kept,
 * since each costs tens of milliseconds.
 */
final class SecureGateway implements AutoCloseable {
    static final String OPS = "ops";
    static final String OPS_PASSWORD = "ops-secret";
    static final String PUSHER = "pusher";
    static final String PUSHER_PASSWORD = "pusher-secret";
    static final String READER = "reader";
    static final String READER_PASSWORD = "reader-secret";
    private static final Map<String, String> HASHES = new java.util.concurrent.ConcurrentHashMap<>();

    final TestCertificates certificates;
    final Path webConfig;
    final RunningGateway gateway;
    private final HttpClient client;

    private SecureGateway(TestCertificates certificates, Path webConfig, RunningGateway gateway) throws Exception {
        this.certificates = certificates;
        this.webConfig = webConfig;
        this.gateway = gateway;
        this.client = HttpClient.newBuilder().sslContext(certificates.clientContext(null))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * @param dir         a fresh directory for the certificates and the web config
     * @param tlsSettings lines under {@code tls_server_config} besides the certificate and key, or {@code null} for no TLS
     * @param flags       more gateway flags
     */
    static SecureGateway start(Path dir, String tlsSettings, String... flags) throws Exception {
        TestCertificates certificates = TestCertificates.createCa(dir, "test-ca");
        certificates.server("server");
        Path webConfig = dir.resolve("web.yml");
        Files.writeString(webConfig, webConfig(tlsSettings, Map.of(OPS, OPS_PASSWORD, PUSHER, PUSHER_PASSWORD,
                READER, READER_PASSWORD)));
        List<String> all = new ArrayList<>(List.of("--web-config-file", webConfig.toString(),
                "--user-roles", PUSHER + "=push", "--user-roles", READER + "=read"));
        all.addAll(List.of(flags));
        return new SecureGateway(certificates, webConfig, new RunningGateway(all.toArray(String[]::new)));
    }

    static String webConfig(String tlsSettings, Map<String, String> users) throws IOException, InterruptedException {
        StringBuilder yaml = new StringBuilder();
        if (tlsSettings != null) {
            yaml.append("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n").append(tlsSettings);
        }
        yaml.append("basic_auth_users:\n");
        for (Map.Entry<String, String> user : new java.util.TreeMap<>(users).entrySet()) {
            yaml.append("  ").append(user.getKey()).append(": '").append(hash(user.getKey(), user.getValue())).append("'\n");
        }
        return yaml.toString();
    }

    static String hash(String user, String password) throws IOException, InterruptedException {
        String key = user + ":" + password;
        String hash = HASHES.get(key);
        if (hash == null) {
            hash = Htpasswd.bcrypt(user, password);
            HASHES.put(key, hash);
        }
        return hash;
    }

    /** Replaces the web config file the way operators' tools do: write elsewhere, then rename over it. */
    void rewriteWebConfig(String yaml) throws IOException {
        Path next = webConfig.resolveSibling("web.yml.next");
        Files.writeString(next, yaml);
        Files.move(next, webConfig, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    URI uri(String path) {
        return gateway.uri(path);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> send(String method, String path, String body, String user, String password)
            throws IOException, InterruptedException {
        return send(method, path, body, user == null ? Map.of() : Map.of("Authorization", basic(user, password)));
    }

    HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        new LinkedHashMap<>(headers).forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The text exposition as the ops user scrapes it. */
    String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = send("GET", "/metrics", null, OPS, OPS_PASSWORD);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("scrape answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    SSLContext clientContext(String clientCertificate) throws IOException, GeneralSecurityException {
        return certificates.clientContext(clientCertificate);
    }

    @Override
    public void close() {
        client.close();
        gateway.close();
    }
}
