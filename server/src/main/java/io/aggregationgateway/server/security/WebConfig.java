package io.aggregationgateway.server.security;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a web config file says, checked: the TLS settings, the users with their bcrypt hashes, and
 * the headers every response carries. File paths in it are already resolved against the file's
 * own directory.
 *
 * @param file    the web config file
 * @param tls     the TLS settings; empty for plain HTTP
 * @param users   user name → bcrypt hash; empty for no authentication
 * @param headers response header → value, from {@code http_server_config.headers}
 */
record WebConfig(Path file, Optional<TlsSettings> tls, Map<String, String> users, Map<String, String> headers) {
    WebConfig {
        users = Map.copyOf(users);
        headers = Map.copyOf(headers);
    }
}
