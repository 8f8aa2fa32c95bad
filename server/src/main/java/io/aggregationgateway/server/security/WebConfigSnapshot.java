package io.aggregationgateway.server.security;

import io.aggregationgateway.server.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A web config file and every file it names (certificate, key, client CAs), read once: what the
 * gateway sets itself up from, so that a file replaced halfway through cannot mix two versions.
 * The fingerprint covers all of them, so a renewed certificate is noticed even when the config
 * file itself stays the same.
 *
 * @param config      the parsed file
 * @param files       each named file's bytes, by its resolved path
 * @param fingerprint SHA-256 over the config file's and the named files' bytes
 */
record WebConfigSnapshot(WebConfig config, Map<Path, byte[]> files, byte[] fingerprint) {
    WebConfigSnapshot {
        files = Map.copyOf(files);
    }

    static WebConfigSnapshot read(Path file) throws ConfigException {
        byte[] text = readFile(file, file, "the file");
        WebConfig config = WebConfigParser.parse(file, new String(text, StandardCharsets.UTF_8));
        Map<Path, byte[]> files = new LinkedHashMap<>();
        MessageDigest digest = sha256();
        digest.update(text);
        config.tls().ifPresent(tls -> {
            files.put(tls.certFile(), null);
            files.put(tls.keyFile(), null);
            tls.clientCaFile().ifPresent(ca -> files.put(ca, null));
        });
        for (Path named : files.keySet()) {
            String what = config.tls().map(tls -> named.equals(tls.certFile()) ? "tls_server_config.cert_file"
                    : named.equals(tls.keyFile()) ? "tls_server_config.key_file" : "tls_server_config.client_ca_file").orElseThrow();
            byte[] bytes = readFile(file, named, what);
            files.put(named, bytes);
            digest.update(named.toString().getBytes(StandardCharsets.UTF_8));
            digest.update(bytes);
        }
        return new WebConfigSnapshot(config, files, digest.digest());
    }

    boolean sameFilesAs(WebConfigSnapshot other) {
        return other != null && Arrays.equals(fingerprint, other.fingerprint);
    }

    private static byte[] readFile(Path configFile, Path file, String what) throws ConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw WebConfigParser.error(configFile, "cannot read " + what + " " + file + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null || e.getMessage().equals(file.toString())
                    ? "" : " " + e.getMessage()));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
