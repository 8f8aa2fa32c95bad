package io.aggregationgateway.server.model;

/**
 * Prometheus naming rules for metric and label names.
 *
 * <p>Since Prometheus 3 a name may be any UTF-8 text: {@code http.server.duration},
 * {@code "http.method"}. Names of the older, narrower character set are <em>legacy</em> names:
 * every scraper reads them unquoted, and no escaping scheme changes them (see
 * {@link NameEscaping}). The gateway accepts both; label names starting with {@code __} stay
 * reserved for Prometheus's own use.
 */
public final class MetricNames {
    /** Label names with this prefix are reserved for Prometheus's own use. */
    public static final String RESERVED_LABEL_PREFIX = "__";

    private MetricNames() {
    }

    /** Any non-empty text that UTF-8 can hold (no unpaired surrogate). */
    public static boolean isValidMetricName(String name) {
        return !name.isEmpty() && isWellFormed(name);
    }

    /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*}: read unquoted by every scraper, left alone by every escaping. */
    public static boolean isLegacyMetricName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isLegacyChar(name.charAt(i), i == 0, false)) {
                return false;
            }
        }
        return true;
    }

    /** Any non-empty UTF-8 text not starting with {@code __}. */
    public static boolean isValidLabelName(String name) {
        return !name.isEmpty() && !name.startsWith(RESERVED_LABEL_PREFIX) && isWellFormed(name);
    }

    /** {@link #isValidLabelName(String)} on UTF-8 bytes (valid UTF-8, as {@link Labels} holds), without making a String. */
    public static boolean isValidLabelName(byte[] buf, int offset, int length) {
        return length > 0 && !(length >= 2 && buf[offset] == '_' && buf[offset + 1] == '_');
    }

    /** {@code [a-zA-Z_][a-zA-Z0-9_]*}: a label name every scraper reads unquoted. */
    public static boolean isLegacyLabelName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isLegacyChar(name.charAt(i), i == 0, true)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #isLegacyLabelName(String)} on UTF-8 bytes, without making a String: one table lookup a
     * byte, since the engine checks every label name of every pushed series.
     */
    public static boolean isLegacyLabelName(byte[] buf, int offset, int length) {
        if (length == 0 || !LEGACY_LABEL_START[buf[offset] & 0xff]) {
            return false;
        }
        for (int i = offset + 1, end = offset + length; i < end; i++) {
            if (!LEGACY_LABEL_CHAR[buf[i] & 0xff]) {
                return false;
            }
        }
        return true;
    }

    /** {@link #isLegacyChar} for label names, by byte: first characters, then the others. */
    private static final boolean[] LEGACY_LABEL_START = new boolean[256];
    private static final boolean[] LEGACY_LABEL_CHAR = new boolean[256];

    static {
        for (int c = 0; c < 128; c++) {
            LEGACY_LABEL_START[c] = isLegacyChar(c, true, true);
            LEGACY_LABEL_CHAR[c] = isLegacyChar(c, false, true);
        }
    }

    /**
     * Whether {@code c} may stand in a legacy name: letters, {@code _}, digits after the first
     * character, and {@code :} in metric names.
     */
    static boolean isLegacyChar(int c, boolean first, boolean label) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
                || (!label && c == ':') || (!first && c >= '0' && c <= '9');
    }

    private static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
