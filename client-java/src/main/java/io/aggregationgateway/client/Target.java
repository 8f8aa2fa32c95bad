package io.aggregationgateway.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where the gateway is: host, port, whether to speak TLS, and for HTTP a path prefix (a gateway
 * behind a reverse proxy at {@code https://example.com/gateway}).
 *
 * @param basePath "" or a path starting with {@code /} and not ending with one
 */
record Target(String host, int port, boolean tls, String basePath) {

    /**
     * Parses {@code host:port}, {@code [::1]:port} or a URL {@code http(s)://host[:port][/path]}.
     *
     * @param tls the TLS setting the user asked for, or null; a URL's scheme decides it otherwise
     */
    static Target parse(String target, Boolean tls) {
        if (target.contains("://")) {
            return parseUrl(target, tls);
        }
        URI uri;
        try {
            uri = new URI("//" + target); // parses host and port, IPv6 literals in brackets included
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("target \"" + target + "\" is neither host:port nor a URL: " + e.getMessage(), e);
        }
        if (uri.getHost() == null || uri.getPort() < 0 || !isEmpty(uri.getRawPath())
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("target \"" + target + "\" is neither host:port nor a URL"
                    + " (examples: localhost:8080, http://gateway:8080, https://example.com/gateway)");
        }
        return new Target(unbracket(uri.getHost()), uri.getPort(), tls != null && tls, "");
    }

    private static Target parseUrl(String target, Boolean tls) {
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("target URL \"" + target + "\" is malformed: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean https = switch (scheme) {
            case "http" -> false;
            case "https" -> true;
            default -> throw new IllegalArgumentException("target URL \"" + target + "\" must start with http:// or https://");
        };
        if (tls != null && tls != https) {
            throw new IllegalArgumentException("target URL \"" + target + "\" says " + scheme
                    + " but TLS was set to " + tls + "; drop one of the two");
        }
        if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("target URL \"" + target + "\" needs a host and no user info, query or fragment");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : (https ? 443 : 80);
        return new Target(unbracket(uri.getHost()), port, https, path);
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The URL of {@code path} (which starts with {@code /}) on this target. */
    URI httpUri(String rawPath) {
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        return URI.create((tls ? "https" : "http") + "://" + hostPart + ":" + port + basePath + rawPath);
    }

    /** How messages name this target. */
    String describe() {
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        return (tls ? "https" : "http") + "://" + hostPart + ":" + port + basePath;
    }
}
