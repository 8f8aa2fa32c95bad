package io.aggregationgateway.server.model;

import java.util.List;
import java.util.Optional;

/**
 * How names outside the legacy character set reach a scraper that cannot read them: the
 * {@code escaping} parameter of Prometheus's {@code Accept} and {@code Content-Type} headers, with
 * the rules Prometheus's own libraries (prometheus/common {@code model.EscapeMetricFamily}) apply.
 * A legacy name ({@link MetricNames#isLegacyMetricName}, {@link MetricNames#isLegacyLabelName}) is
 * never changed; any other name becomes a legacy name:
 *
 * <ul>
 *   <li>{@link #ALLOW_UTF8}: no escaping, names go out as they are (quoted where the syntax needs it);</li>
 *   <li>{@link #UNDERSCORES}: every character a legacy name cannot hold becomes {@code _}:
 *       {@code http.server.duration} is {@code http_server_duration};</li>
 *   <li>{@link #DOTS}: {@code .} becomes {@code _dot_}, {@code _} becomes {@code __}, any other such
 *       character {@code __}: {@code my_app.requests} is {@code my__app_dot_requests};</li>
 *   <li>{@link #VALUES}: the prefix {@code U__}, {@code _} becomes {@code __}, any other such
 *       character its code point in hexadecimal between underscores: {@code my.metric} is
 *       {@code U__my_2e_metric}. The only one that can be undone ({@link #unescapeValues}).</li>
 * </ul>
 *
 * A leading digit counts as a character a legacy name cannot hold; label names escape {@code :}
 * too, since a legacy label name cannot hold it (prometheus/common leaves it, which makes an
 * invalid label name).
 */
public enum NameEscaping {
    ALLOW_UTF8("allow-utf-8"),
    UNDERSCORES("underscores"),
    DOTS("dots"),
    VALUES("values");

    /** The schemes that turn every name into a legacy name: what scrapers without UTF-8 support can ask for. */
    public static final List<NameEscaping> ESCAPING = List.of(UNDERSCORES, DOTS, VALUES);

    private static final String VALUES_PREFIX = "U__";

    private final String parameterValue;

    NameEscaping(String parameterValue) {
        this.parameterValue = parameterValue;
    }

    /** The value of the {@code escaping} header parameter that names this scheme. */
    public String parameterValue() {
        return parameterValue;
    }

    /** The scheme an {@code escaping} parameter names (exactly, as Prometheus compares it), if any. */
    public static Optional<NameEscaping> fromParameter(String value) {
        for (NameEscaping scheme : values()) {
            if (scheme.parameterValue.equals(value)) {
                return Optional.of(scheme);
            }
        }
        return Optional.empty();
    }

    /** {@code name} as a metric name under this scheme; a legacy name as it is. */
    public String metricName(String name) {
        return this == ALLOW_UTF8 || MetricNames.isLegacyMetricName(name) ? name : escape(name, false);
    }

    /** {@code name} as a label name under this scheme; a legacy label name as it is. */
    public String labelName(String name) {
        return this == ALLOW_UTF8 || MetricNames.isLegacyLabelName(name) ? name : escape(name, true);
    }

    private String escape(String name, boolean label) {
        StringBuilder out = new StringBuilder(name.length() + 16);
        if (this == VALUES) {
            out.append(VALUES_PREFIX);
        }
        boolean first = true;
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            i += Character.charCount(c);
            boolean legal = MetricNames.isLegacyChar(c, first, label);
            first = false;
            switch (this) {
                case UNDERSCORES -> out.appendCodePoint(legal ? c : '_');
                case DOTS -> {
                    if (c == '_') {
                        out.append("__");
                    } else if (c == '.') {
                        out.append("_dot_");
                    } else if (legal) {
                        out.appendCodePoint(c);
                    } else {
                        out.append("__");
                    }
                }
                case VALUES -> {
                    if (c == '_') {
                        out.append("__");
                    } else if (legal) {
                        out.appendCodePoint(c);
                    } else if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
                        out.append("_FFFD_"); // an unpaired surrogate: U+FFFD, as Go writes an invalid rune
                    } else {
                        out.append('_').append(Integer.toHexString(c)).append('_');
                    }
                }
                case ALLOW_UTF8 -> out.appendCodePoint(c);
            }
        }
        return out.toString();
    }

    /**
     * Undoes {@link #VALUES} escaping, as the Pushgateway decodes label names in a push path: a name
     * without the prefix {@code U__}, or with a sequence that is not {@code __} or {@code _hex_}
     * (at most 6 hex digits, a code point other than a surrogate), is returned as it is.
     * {@code U__foo_2e_bar} is {@code foo.bar}; {@code U__in_xxx_valid} stays {@code U__in_xxx_valid}.
     * (prometheus/common's decoder stops at 5 digits, so it leaves names with a code point from
     * U+100000 up undecoded; this one decodes every code point {@link #VALUES} writes.)
     */
    public static String unescapeValues(String name) {
        if (!name.startsWith(VALUES_PREFIX)) {
            return name;
        }
        String rest = name.substring(VALUES_PREFIX.length());
        StringBuilder out = new StringBuilder(rest.length());
        int i = 0;
        while (i < rest.length()) {
            char c = rest.charAt(i++);
            if (c != '_') {
                out.append(c);
                continue;
            }
            if (i == rest.length()) {
                return name;
            }
            if (rest.charAt(i) == '_') {
                out.append('_');
                i++;
                continue;
            }
            int codePoint = 0;
            int digits = 0;
            while (i < rest.length() && rest.charAt(i) != '_') {
                int digit = hexDigit(rest.charAt(i));
                if (digit < 0 || ++digits > 6) {
                    return name;
                }
                codePoint = codePoint * 16 + digit;
                i++;
            }
            if (i == rest.length() || codePoint > Character.MAX_CODE_POINT
                    || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
                return name;
            }
            i++; // the closing underscore
            out.appendCodePoint(codePoint);
        }
        return out.toString();
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
