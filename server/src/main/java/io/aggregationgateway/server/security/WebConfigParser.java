package io.aggregationgateway.server.security;

import io.aggregationgateway.server.config.ConfigException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a web config file in the format of the Prometheus exporter-toolkit (what the Pushgateway,
 * Prometheus and the exporters read with {@code --web.config.file}), as strictly as it does: an
 * unknown key, a value of the wrong kind or an unknown enumeration value is an error naming the
 * key. Keys of newer exporter-toolkit versions that the gateway does not implement are errors too,
 * saying so, rather than silently ignored.
 */
final class WebConfigParser {
    private static final Set<String> TOP = Set.of("tls_server_config", "http_server_config", "basic_auth_users");
    private static final Set<String> TLS = Set.of("cert_file", "key_file", "client_auth_type", "client_ca_file",
            "min_version", "max_version", "cipher_suites", "curve_preferences", "prefer_server_cipher_suites");
    private static final Set<String> HTTP = Set.of("headers", "http2");
    /** Keys exporter-toolkit knows that the gateway does not implement, with what to do instead. */
    private static final Map<String, String> NOT_IMPLEMENTED = Map.of(
            "rate_limit", "use --push-rate-limit and --push-rate-burst",
            "tls_server_config.cert", "put the certificate in a file named by cert_file",
            "tls_server_config.key", "put the key in a file named by key_file",
            "tls_server_config.client_ca", "put the CA certificates in a file named by client_ca_file",
            "tls_server_config.client_allowed_sans", "check client certificates with client_ca_file");
    /**
     * The headers exporter-toolkit lets a web config set, with the values it allows (none listed:
     * any value). The same rule here, so a file works alike in both.
     */
    private static final Map<String, List<String>> SETTABLE_HEADERS = Map.of(
            "Strict-Transport-Security", List.of(),
            "X-Content-Type-Options", List.of("nosniff"),
            "X-Frame-Options", List.of("deny", "sameorigin"),
            "X-XSS-Protection", List.of(),
            "Content-Security-Policy", List.of());

    private WebConfigParser() {
    }

    /**
     * @param file the file's path: names it in errors, and relative paths in it are resolved against its directory
     * @param yaml the file's content
     */
    static WebConfig parse(Path file, String yaml) throws ConfigException {
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(file.toString()).setAllowDuplicateKeys(false).build())
                    .loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw error(file, "not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        Map<String, Object> top = map(file, "", root);
        checkKeys(file, "", top, TOP);
        Path dir = file.toAbsolutePath().getParent();
        Optional<TlsSettings> tls = tls(file, dir, map(file, "tls_server_config", top.get("tls_server_config")));
        Map<String, Object> http = map(file, "http_server_config", top.get("http_server_config"));
        checkKeys(file, "http_server_config.", http, HTTP);
        if (http.containsKey("http2") && !bool(file, "http_server_config.http2", http.get("http2"))) {
            throw error(file, "http_server_config.http2: false is not supported: gRPC needs HTTP/2 on the gateway's port");
        }
        Map<String, String> headers = strings(file, "http_server_config.headers", http.get("headers"));
        checkHeaders(file, headers);
        Map<String, String> users = strings(file, "basic_auth_users", top.get("basic_auth_users"));
        for (Map.Entry<String, String> user : users.entrySet()) {
            Optional<String> problem = Passwords.problemWithHash(user.getValue());
            if (problem.isPresent()) {
                throw error(file, "basic_auth_users." + user.getKey() + ": " + problem.get());
            }
        }
        return new WebConfig(file, tls, users, headers);
    }

    private static Optional<TlsSettings> tls(Path file, Path dir, Map<String, Object> tls) throws ConfigException {
        checkKeys(file, "tls_server_config.", tls, TLS);
        if (tls.isEmpty()) {
            return Optional.empty();
        }
        String cert = string(file, "tls_server_config.cert_file", tls.get("cert_file"));
        String key = string(file, "tls_server_config.key_file", tls.get("key_file"));
        if (cert == null || cert.isEmpty()) {
            throw error(file, "tls_server_config needs cert_file");
        }
        if (key == null || key.isEmpty()) {
            throw error(file, "tls_server_config needs key_file");
        }
        String authName = string(file, "tls_server_config.client_auth_type", tls.get("client_auth_type"));
        TlsSettings.ClientAuth auth = authName == null || authName.isEmpty() ? TlsSettings.ClientAuth.NO_CLIENT_CERT
                : TlsSettings.ClientAuth.named(authName).orElseThrow(() -> error(file,
                "tls_server_config.client_auth_type: unknown value \"" + authName + "\" (NoClientCert, RequestClientCert,"
                        + " RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert)"));
        String ca = string(file, "tls_server_config.client_ca_file", tls.get("client_ca_file"));
        Optional<Path> caFile = ca == null || ca.isEmpty() ? Optional.empty() : Optional.of(dir.resolve(ca));
        if (caFile.isPresent() && auth == TlsSettings.ClientAuth.NO_CLIENT_CERT) {
            throw error(file, "tls_server_config.client_ca_file is set but client_auth_type asks for no client certificate");
        }
        if (caFile.isEmpty() && auth.verifies) {
            throw error(file, "tls_server_config.client_auth_type " + auth.configName + " needs client_ca_file");
        }
        TlsSettings.TlsVersion min = version(file, "min_version", tls.get("min_version"), TlsSettings.TlsVersion.TLS12);
        TlsSettings.TlsVersion max = version(file, "max_version", tls.get("max_version"), TlsSettings.TlsVersion.TLS13);
        if (min.compareTo(max) > 0) {
            throw error(file, "tls_server_config.min_version " + min + " is above max_version " + max);
        }
        List<String> ciphers = list(file, "tls_server_config.cipher_suites", tls.get("cipher_suites"));
        List<String> curves = new ArrayList<>();
        for (String curve : list(file, "tls_server_config.curve_preferences", tls.get("curve_preferences"))) {
            curves.add(switch (curve) {
                case "CurveP256" -> "secp256r1";
                case "CurveP384" -> "secp384r1";
                case "CurveP521" -> "secp521r1";
                case "X25519" -> "x25519";
                default -> throw error(file, "tls_server_config.curve_preferences: unknown curve \"" + curve
                        + "\" (CurveP256, CurveP384, CurveP521 or X25519)");
            });
        }
        boolean prefer = !tls.containsKey("prefer_server_cipher_suites")
                || bool(file, "tls_server_config.prefer_server_cipher_suites", tls.get("prefer_server_cipher_suites"));
        return Optional.of(new TlsSettings(dir.resolve(cert), dir.resolve(key), auth, caFile, min, max, ciphers, curves, prefer));
    }

    private static TlsSettings.TlsVersion version(Path file, String key, Object value, TlsSettings.TlsVersion otherwise)
            throws ConfigException {
        String name = string(file, "tls_server_config." + key, value);
        if (name == null || name.isEmpty()) {
            return otherwise;
        }
        try {
            return TlsSettings.TlsVersion.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw error(file, "tls_server_config." + key + ": unknown TLS version \"" + name + "\" (TLS10, TLS11, TLS12 or TLS13)");
        }
    }

    private static void checkHeaders(Path file, Map<String, String> headers) throws ConfigException {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            List<String> allowed = SETTABLE_HEADERS.get(header.getKey());
            if (allowed == null) {
                throw error(file, "http_server_config.headers: header \"" + header.getKey() + "\" cannot be set (only "
                        + String.join(", ", SETTABLE_HEADERS.keySet().stream().sorted().toList()) + ")");
            }
            if (!allowed.isEmpty() && !allowed.contains(header.getValue())) {
                throw error(file, "http_server_config.headers: " + header.getKey() + " must be one of "
                        + String.join(", ", allowed) + ", got \"" + header.getValue() + "\"");
            }
        }
    }

    private static void checkKeys(Path file, String prefix, Map<String, Object> map, Set<String> known) throws ConfigException {
        for (String key : map.keySet()) {
            if (known.contains(key)) {
                continue;
            }
            String path = prefix + key;
            String instead = NOT_IMPLEMENTED.get(path);
            if (instead != null) {
                throw error(file, "key \"" + path + "\" is not supported by the aggregation gateway; " + instead);
            }
            throw error(file, "unknown key \"" + path + "\"");
        }
    }

    /** A mapping with string keys; {@code null} (an absent or empty section) is an empty one. */
    private static Map<String, Object> map(Path file, String key, Object value) throws ConfigException {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> raw)) {
            throw error(file, (key.isEmpty() ? "the file" : key) + " must be a mapping of keys to values, not " + kind(value));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : raw.entrySet()) {
            if (!(entry.getKey() instanceof String name)) {
                throw error(file, (key.isEmpty() ? "" : key + ": ") + "key " + entry.getKey() + " is not a string");
            }
            out.put(name, entry.getValue());
        }
        return out;
    }

    private static Map<String, String> strings(Path file, String key, Object value) throws ConfigException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : map(file, key, value).entrySet()) {
            String text = string(file, key + "." + entry.getKey(), entry.getValue());
            out.put(entry.getKey(), text == null ? "" : text);
        }
        return out;
    }

    private static List<String> list(Path file, String key, Object value) throws ConfigException {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> raw)) {
            throw error(file, key + " must be a list, not " + kind(value));
        }
        List<String> out = new ArrayList<>();
        for (Object element : raw) {
            String text = string(file, key, element);
            if (text == null) {
                throw error(file, key + " has an empty element");
            }
            out.add(text);
        }
        return out;
    }

    /** A scalar as text (a number or boolean as written), {@code null} when absent. */
    private static String string(Path file, String key, Object value) throws ConfigException {
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            throw error(file, key + " must be a single value, not " + kind(value));
        }
        if (value instanceof byte[]) {
            throw error(file, key + " must be text, not binary data");
        }
        return value.toString();
    }

    private static boolean bool(Path file, String key, Object value) throws ConfigException {
        if (value instanceof Boolean b) {
            return b;
        }
        throw error(file, key + " must be true or false, not " + (value == null ? "empty" : "\"" + value + "\""));
    }

    private static String kind(Object value) {
        return value instanceof Map<?, ?> ? "a mapping" : value instanceof List<?> ? "a list"
                : "the value \"" + value + "\"";
    }

    static ConfigException error(Path file, String message) {
        return new ConfigException("web config file " + file + ": " + message);
    }
}
