package io.aggregationgateway.server.model;

/** Prometheus naming rules for metric and label names. */
public final class MetricNames {
    /** Label names with this prefix are reserved for Prometheus's own use. */
    public static final String RESERVED_LABEL_PREFIX = "__";

    private MetricNames() {
    }

    /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*} */
    public static boolean isValidMetricName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = isLetterOrUnderscore(c) || c == ':' || (i > 0 && isDigit(c));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@code [a-zA-Z_][a-zA-Z0-9_]*}, not starting with {@code __}. */
    public static boolean isValidLabelName(String name) {
        if (name.isEmpty() || name.startsWith(RESERVED_LABEL_PREFIX)) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(isLetterOrUnderscore(c) || (i > 0 && isDigit(c)))) {
                return false;
            }
        }
        return true;
    }

    /** {@link #isValidLabelName(String)} on UTF-8 bytes, without making a String. */
    public static boolean isValidLabelName(byte[] buf, int offset, int length) {
        if (length == 0 || (length >= 2 && buf[offset] == '_' && buf[offset + 1] == '_')) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = (char) (buf[offset + i] & 0xff);
            if (!(isLetterOrUnderscore(c) || (i > 0 && isDigit(c)))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetterOrUnderscore(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
