package io.aggregationgateway.server.security;

import io.aggregationgateway.server.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The web config file as exporter-toolkit reads it: what a good file gives, and one exact error per bad file. */
class WebConfigParserTest {
    private static final Path FILE = Path.of("/etc/gateway/web.yml");
    private static final String HASH = "$2y$10$KbHKiGlNcefOxkP9OxLlWumoKFW2HmKrEMTo5DywrbFD91FM7BnnO";

    @Test
    void aFullFile() throws Exception {
        WebConfig config = WebConfigParser.parse(FILE, """
                tls_server_config:
                  cert_file: tls/server.crt
                  key_file: /keys/server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.crt
                  min_version: TLS13
                  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
                  curve_preferences: [X25519, CurveP256]
                  prefer_server_cipher_suites: false
                http_server_config:
                  http2: true
                  headers:
                    Strict-Transport-Security: max-age=31536000
                    X-Frame-Options: deny
                basic_auth_users:
                  alice: %s
                """.formatted(HASH));
        TlsSettings tls = config.tls().orElseThrow();
        assertEquals(Path.of("/etc/gateway/tls/server.crt"), tls.certFile(), "relative to the file's directory");
        assertEquals(Path.of("/keys/server.key"), tls.keyFile());
        assertEquals(TlsSettings.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT, tls.clientAuth());
        assertEquals(Optional.of(Path.of("/etc/gateway/ca.crt")), tls.clientCaFile());
        assertEquals(TlsSettings.TlsVersion.TLS13, tls.minVersion());
        assertEquals(TlsSettings.TlsVersion.TLS13, tls.maxVersion(), "the default maximum");
        assertEquals(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), tls.cipherSuites());
        assertEquals(List.of("x25519", "secp256r1"), tls.curves());
        assertEquals(false, tls.preferServerCipherSuites());
        assertEquals(Map.of("alice", HASH), config.users());
        assertEquals(Map.of("Strict-Transport-Security", "max-age=31536000", "X-Frame-Options", "deny"), config.headers());
    }

    @Test
    void usersWithoutTlsAndAnEmptyFile() throws Exception {
        WebConfig users = WebConfigParser.parse(FILE, "basic_auth_users:\n  bob: '" + HASH + "'\n");
        assertTrue(users.tls().isEmpty());
        assertEquals(Map.of("bob", HASH), users.users());
        WebConfig empty = WebConfigParser.parse(FILE, "# nothing yet\n");
        assertTrue(empty.tls().isEmpty() && empty.users().isEmpty() && empty.headers().isEmpty());
        TlsSettings defaults = WebConfigParser.parse(FILE, "tls_server_config: {cert_file: a.crt, key_file: a.key}").tls().orElseThrow();
        assertEquals(TlsSettings.ClientAuth.NO_CLIENT_CERT, defaults.clientAuth());
        assertEquals(TlsSettings.TlsVersion.TLS12, defaults.minVersion(), "exporter-toolkit's default minimum");
        assertTrue(defaults.preferServerCipherSuites());
        assertEquals(TlsSettings.ClientAuth.REQUIRE_ANY_CLIENT_CERT, WebConfigParser.parse(FILE,
                "tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireClientCert}").tls().orElseThrow().clientAuth(),
                "the older name exporter-toolkit still takes");
    }

    static Stream<Arguments> badFiles() {
        String tls = "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n";
        return Stream.of(
                arguments("a misspelt top-level key", "basic_auth_user:\n  a: b\n", "unknown key \"basic_auth_user\""),
                arguments("a misspelt TLS key", tls + "  cert_fil: x\n", "unknown key \"tls_server_config.cert_fil\""),
                arguments("a misspelt HTTP key", "http_server_config:\n  header: {}\n", "unknown key \"http_server_config.header\""),
                arguments("exporter-toolkit's rate limit", "rate_limit:\n  burst: 1\n",
                        "key \"rate_limit\" is not supported by the aggregation gateway; use --push-rate-limit and --push-rate-burst"),
                arguments("an inline key", tls + "  key: xyz\n", "key \"tls_server_config.key\" is not supported by the"
                        + " aggregation gateway; put the key in a file named by key_file"),
                arguments("TLS without a certificate", "tls_server_config:\n  key_file: a.key\n", "tls_server_config needs cert_file"),
                arguments("TLS without a key", "tls_server_config:\n  cert_file: a.crt\n", "tls_server_config needs key_file"),
                arguments("an unknown client auth type", tls + "  client_auth_type: Always\n",
                        "tls_server_config.client_auth_type: unknown value \"Always\" (NoClientCert, RequestClientCert,"
                                + " RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert)"),
                arguments("client CAs without client auth", tls + "  client_ca_file: ca.crt\n",
                        "tls_server_config.client_ca_file is set but client_auth_type asks for no client certificate"),
                arguments("verification without CAs", tls + "  client_auth_type: VerifyClientCertIfGiven\n",
                        "tls_server_config.client_auth_type VerifyClientCertIfGiven needs client_ca_file"),
                arguments("an unknown TLS version", tls + "  min_version: TLS1.2\n",
                        "tls_server_config.min_version: unknown TLS version \"TLS1.2\" (TLS10, TLS11, TLS12 or TLS13)"),
                arguments("versions the wrong way round", tls + "  min_version: TLS13\n  max_version: TLS12\n",
                        "tls_server_config.min_version TLS13 is above max_version TLS12"),
                arguments("an unknown curve", tls + "  curve_preferences: [P256]\n",
                        "tls_server_config.curve_preferences: unknown curve \"P256\" (CurveP256, CurveP384, CurveP521 or X25519)"),
                arguments("cipher suites not as a list", tls + "  cipher_suites: TLS_AES_128_GCM_SHA256\n",
                        "tls_server_config.cipher_suites must be a list, not the value \"TLS_AES_128_GCM_SHA256\""),
                arguments("HTTP/2 off", "http_server_config:\n  http2: false\n",
                        "http_server_config.http2: false is not supported: gRPC needs HTTP/2 on the gateway's port"),
                arguments("a header exporter-toolkit does not let one set", "http_server_config:\n  headers:\n    Server: x\n",
                        "http_server_config.headers: header \"Server\" cannot be set (only Content-Security-Policy,"
                                + " Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection)"),
                arguments("a header value it does not allow", "http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
                        "http_server_config.headers: X-Frame-Options must be one of deny, sameorigin, got \"allow\""),
                arguments("a password instead of its hash", "basic_auth_users:\n  alice: s3cret\n", "basic_auth_users.alice:"
                        + " not a bcrypt hash (expected $2y$, $2b$ or $2a$ followed by the cost, as htpasswd -B writes it)"),
                arguments("users as a list", "basic_auth_users:\n  - alice\n",
                        "basic_auth_users must be a mapping of keys to values, not a list"),
                arguments("a file that is a list", "- tls_server_config\n", "the file must be a mapping of keys to values, not a list"),
                arguments("a key twice", "basic_auth_users:\n  a: '" + HASH + "'\n  a: '" + HASH + "'\n", "not valid YAML: "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void aBadFileIsOneClearError(String name, String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> WebConfigParser.parse(FILE, yaml));
        String prefix = "web config file " + FILE + ": ";
        assertTrue(e.getMessage().startsWith(prefix + expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        if (!expected.endsWith(": ")) {
            assertEquals(prefix + expected, e.getMessage());
        }
    }

    @Test
    void aBadHashIsNamedByItsUserAndNeverShown() {
        String broken = "$2y$10$tooshort";
        ConfigException e = assertThrows(ConfigException.class,
                () -> WebConfigParser.parse(FILE, "basic_auth_users:\n  carol: '" + broken + "'\n"));
        assertTrue(e.getMessage().startsWith("web config file " + FILE + ": basic_auth_users.carol: not a valid bcrypt hash"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("tooshort"), e.getMessage());
    }
}
