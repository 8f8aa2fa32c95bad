package io.aggregationgateway.client;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Builds the push path {@code /metrics/job/<job>{/<label>/<value>}} for the HTTP transports, the
 * way the Prometheus Pushgateway reads it.
 */
final class GroupingPath {
    private static final String HEX = "0123456789ABCDEF";

    private GroupingPath() {
    }

    /** @param grouping the grouping labels; must contain {@code job} */
    static String of(Map<String, String> grouping) {
        StringBuilder path = new StringBuilder("/metrics");
        appendPair(path, "job", grouping.get("job"));
        grouping.forEach((name, value) -> {
            if (!name.equals("job")) {
                appendPair(path, name, value);
            }
        });
        return path.toString();
    }

    private static void appendPair(StringBuilder path, String name, String value) {
        // A value with a slash would split the path, and "." or ".." could be collapsed by a proxy
        // normalizing the path; the empty value would leave an empty segment. Pushgateway syntax
        // covers all of them: the name gets "@base64" and the value goes as URL-safe base64.
        if (value.isEmpty() || value.contains("/") || value.equals(".") || value.equals("..")) {
            String encoded = Base64.getUrlEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
            path.append('/').append(name).append("@base64/").append(encoded.isEmpty() ? "=" : encoded);
        } else {
            path.append('/').append(name).append('/');
            percentEncode(path, value);
        }
    }

    /** RFC 3986: everything but the unreserved characters as %XX of its UTF-8 bytes. */
    private static void percentEncode(StringBuilder out, String value) {
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (unreserved) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            }
        }
    }
}
