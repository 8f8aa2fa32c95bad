package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.FamilyView;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;

/** The formats a scrape can get, and the choice among them by {@code Accept} header. */
public enum ExpositionFormat {
    /** Prometheus text format 0.0.4. */
    TEXT(TextFormatRenderer.CONTENT_TYPE) {
        private final TextFormatRenderer renderer = new TextFormatRenderer();

        @Override
        public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
            renderer.render(families, out, workers);
        }
    },
    /** OpenMetrics text 1.0.0. */
    OPENMETRICS(OpenMetricsRenderer.CONTENT_TYPE) {
        private final OpenMetricsRenderer renderer = new OpenMetricsRenderer();

        @Override
        public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
            renderer.render(families, out, workers);
        }
    },
    /** Length-delimited {@code io.prometheus.client.MetricFamily} messages. */
    PROTOBUF(ProtobufRenderer.CONTENT_TYPE) {
        private final ProtobufRenderer renderer = new ProtobufRenderer();

        @Override
        public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
            renderer.render(families, out); // one thread: a family's size prefix needs all its series first
        }
    };

    private final String contentType;

    ExpositionFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The {@code Content-Type} of a response in this format. */
    public String contentType() {
        return contentType;
    }

    /** Writes the families in this format; flushes {@code out} but does not close it. */
    public void render(List<FamilyView> families, OutputStream out) throws IOException {
        render(families, out, RenderWorkers.NONE);
    }

    /** Writes the families in this format with the help of {@code workers}; flushes {@code out} but does not close it. */
    public abstract void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException;

    /**
     * The format to answer a scrape with {@code acceptHeader} (may be {@code null}).
     *
     * <p>Media ranges are read with their parameters in any order and spacing, type and parameter
     * names case-insensitively. Acceptable are {@code application/vnd.google.protobuf} with
     * {@code proto=io.prometheus.client.MetricFamily} and {@code encoding=delimited};
     * {@code application/openmetrics-text} with no version, {@code 0.0.1} or {@code 1.0.0};
     * {@code text/plain} with no version or {@code 0.0.4}; {@code text/*} and {@code *}{@code /*}
     * (as text). The range with the highest {@code q} wins, the first listed on a tie; {@code q=0}
     * is not acceptable. A range that cannot be parsed is ignored. When nothing is acceptable the
     * answer is {@link #TEXT}: Prometheus's clients fall back to text rather than answer 406.
     */
    public static ExpositionFormat negotiate(String acceptHeader) {
        if (acceptHeader == null || acceptHeader.isBlank()) {
            return TEXT;
        }
        ExpositionFormat best = null;
        double bestQ = 0;
        AcceptParser parser = new AcceptParser(acceptHeader);
        while (parser.hasMore()) {
            MediaRange range = parser.next();
            if (range == null) {
                continue; // malformed: skipped
            }
            ExpositionFormat format = range.format();
            if (format != null && range.q > bestQ) {
                best = format;
                bestQ = range.q;
            }
        }
        return best == null ? TEXT : best;
    }

    /** One media range of an {@code Accept} header; type, subtype and parameter names in lower case. */
    private static final class MediaRange {
        final String type;
        final String subtype;
        double q = 1;
        String version;
        String proto;
        String encoding;

        MediaRange(String type, String subtype) {
            this.type = type;
            this.subtype = subtype;
        }

        /** The format this range asks for, or {@code null} when it asks for none the gateway has. */
        ExpositionFormat format() {
            if (q <= 0) {
                return null;
            }
            String mediaType = type + "/" + subtype;
            return switch (mediaType) {
                case "application/vnd.google.protobuf" ->
                        "io.prometheus.client.MetricFamily".equalsIgnoreCase(proto)
                                && "delimited".equalsIgnoreCase(encoding) ? PROTOBUF : null;
                case "application/openmetrics-text" ->
                        version == null || version.equals("0.0.1") || version.equals("1.0.0") ? OPENMETRICS : null;
                case "text/plain" -> version == null || version.equals("0.0.4") ? TEXT : null;
                case "text/*", "*/*" -> TEXT;
                default -> null;
            };
        }
    }

    /**
     * Reads {@code Accept: range *( "," range )}, {@code range = type "/" subtype *( ";" name "=" value )},
     * values tokens or quoted strings, whitespace allowed around every separator.
     */
    private static final class AcceptParser {
        private final String s;
        private int pos;

        AcceptParser(String s) {
            this.s = s;
        }

        boolean hasMore() {
            skipSpaceAndCommas();
            return pos < s.length();
        }

        /** The next range, or {@code null} if it is malformed (then skipped up to the next comma). */
        MediaRange next() {
            MediaRange range = parseRange();
            skipSpace();
            if (range == null || (pos < s.length() && s.charAt(pos) != ',')) {
                skipToComma();
                return null;
            }
            return range;
        }

        private MediaRange parseRange() {
            String type = token();
            skipSpace();
            if (type == null || !consume('/')) {
                return null;
            }
            skipSpace();
            String subtype = token();
            if (subtype == null) {
                return null;
            }
            MediaRange range = new MediaRange(type.toLowerCase(Locale.ROOT), subtype.toLowerCase(Locale.ROOT));
            if (range.type.equals("*") && !range.subtype.equals("*")) {
                return null;
            }
            while (true) {
                skipSpace();
                if (!consume(';')) {
                    return range;
                }
                skipSpace();
                if (pos == s.length() || s.charAt(pos) == ',') {
                    return range; // a trailing ";" is tolerated
                }
                String name = token();
                skipSpace();
                if (name == null || !consume('=')) {
                    return null;
                }
                skipSpace();
                String value = pos < s.length() && s.charAt(pos) == '"' ? quotedString() : token();
                if (value == null) {
                    return null;
                }
                switch (name.toLowerCase(Locale.ROOT)) {
                    case "q" -> {
                        double q = parseQ(value);
                        if (Double.isNaN(q)) {
                            return null;
                        }
                        range.q = q;
                    }
                    case "version" -> range.version = value;
                    case "proto" -> range.proto = value;
                    case "encoding" -> range.encoding = value;
                    default -> {
                        // charset, escaping and others do not change what the gateway sends
                    }
                }
            }
        }

        /** A weight between 0 and 1 ({@code 0.5}, {@code 1}, {@code .5} tolerated), or NaN. */
        private static double parseQ(String value) {
            if (value.isEmpty() || value.length() > 10) {
                return Double.NaN;
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (!(c >= '0' && c <= '9') && c != '.') {
                    return Double.NaN;
                }
            }
            try {
                double q = Double.parseDouble(value);
                return q >= 0 && q <= 1 ? q : Double.NaN;
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }

        private String token() {
            int start = pos;
            while (pos < s.length() && isTokenChar(s.charAt(pos))) {
                pos++;
            }
            return pos > start ? s.substring(start, pos) : null;
        }

        private String quotedString() {
            StringBuilder value = new StringBuilder();
            pos++; // opening quote
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\') {
                    if (pos == s.length()) {
                        return null;
                    }
                    c = s.charAt(pos++);
                }
                value.append(c);
            }
            return null; // unterminated
        }

        private static boolean isTokenChar(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }

        private boolean consume(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
        }

        private void skipSpaceAndCommas() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == ',')) {
                pos++;
            }
        }

        /** Skips to the next comma outside a quoted string (or the end). */
        private void skipToComma() {
            boolean quoted = false;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (quoted) {
                    if (c == '\\') {
                        pos++;
                    } else if (c == '"') {
                        quoted = false;
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    return;
                }
                pos++;
            }
        }
    }
}
