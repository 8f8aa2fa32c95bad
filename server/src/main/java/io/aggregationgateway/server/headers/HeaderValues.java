package io.aggregationgateway.server.headers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the header values the gateway chooses formats by, with the grammar of RFC 9110:
 *
 * <pre>
 *   Content-Type    = media-type
 *   Accept          = #( media-range [ weight ] )
 *   Accept-Encoding = #( codings [ weight ] )
 *   media-type      = type "/" subtype parameters       (media-range: also *&#47;* and type/*)
 *   parameters      = *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] )
 *   weight          = OWS ";" OWS "q=" qvalue             (0, 0.5, 1.000: 0 to 1, at most 3 decimals)
 * </pre>
 *
 * Lists ({@code #}) take commas with optional whitespace and skip empty elements. Types,
 * subtypes, parameter names and codings compare case-insensitively and come back in lower case;
 * parameter values come back as sent, unquoted. Beyond the RFC, whitespace is tolerated around
 * {@code /} and {@code =}, as senders write it and as the gateway always read it.
 *
 * <p>{@code Content-Type} and {@code Accept-Encoding} that break the grammar are refused with a
 * {@link MalformedHeaderException}. In {@code Accept} a range that breaks it is left out and the
 * others count: negotiation then falls back as it would for a range the gateway cannot serve,
 * which is what Prometheus's client libraries do.
 */
public final class HeaderValues {
    private static final String QVALUE_RULE = "expected a weight from 0 to 1 with at most 3 decimals";

    private HeaderValues() {
    }

    /**
     * A {@code Content-Type} value; empty when the value is missing or blank.
     *
     * @throws MalformedHeaderException when it is not one media type
     */
    public static Optional<MediaType> contentType(String value) throws MalformedHeaderException {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        Reader in = new Reader("Content-Type", value);
        in.skipSpace();
        MediaRange type = in.mediaType(false);
        in.skipSpace();
        if (!in.atEnd()) {
            throw in.error("expected \";\" or the end");
        }
        return Optional.of(type.mediaType());
    }

    /** An {@code Accept} value's ranges in the order sent, without those that break the grammar; empty for {@code null}. */
    public static List<MediaRange> accept(String value) {
        List<MediaRange> ranges = new ArrayList<>();
        if (value == null) {
            return ranges;
        }
        Reader in = new Reader("Accept", value);
        while (in.nextElement()) {
            int start = in.pos;
            try {
                MediaRange range = in.mediaType(true);
                MediaType type = range.mediaType();
                if (type.type().equals("*") && !type.subtype().equals("*")) {
                    throw in.errorAt(start, "a wildcard type needs a wildcard subtype");
                }
                in.endOfElement();
                ranges.add(range);
            } catch (MalformedHeaderException e) {
                in.skipElement(start);
            }
        }
        return ranges;
    }

    /**
     * An {@code Accept-Encoding} value's codings in the order sent; empty for {@code null} or an
     * empty value (which accepts no coding but identity).
     *
     * @throws MalformedHeaderException when any element breaks the grammar
     */
    public static List<ContentCoding> acceptEncoding(String value) throws MalformedHeaderException {
        List<ContentCoding> codings = new ArrayList<>();
        if (value == null) {
            return codings;
        }
        Reader in = new Reader("Accept-Encoding", value);
        while (in.nextElement()) {
            codings.add(in.coding());
            in.endOfElement();
        }
        return codings;
    }

    /** A cursor over one header value; every problem it reports carries the header, the value and the position. */
    private static final class Reader {
        private final String header;
        private final String s;
        private int pos;

        Reader(String header, String s) {
            this.header = header;
            this.s = s;
        }

        MalformedHeaderException error(String problem) {
            return errorAt(pos, problem);
        }

        MalformedHeaderException errorAt(int at, String problem) {
            return new MalformedHeaderException(header, s, problem, at);
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        /** Skips whitespace and the empty elements a list may hold; whether an element follows. */
        boolean nextElement() {
            while (!atEnd() && (isSpace(s.charAt(pos)) || s.charAt(pos) == ',')) {
                pos++;
            }
            return !atEnd();
        }

        void endOfElement() throws MalformedHeaderException {
            skipSpace();
            if (!atEnd() && s.charAt(pos) != ',') {
                throw error("expected \";\", \",\" or the end");
            }
        }

        /** Moves from {@code start} past the element: to the next comma outside a quoted string, or the end. */
        void skipElement(int start) {
            pos = start;
            boolean quoted = false;
            while (!atEnd()) {
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

        /** {@code type "/" subtype parameters}; with {@code weighted}, a {@code q} parameter is the weight. */
        MediaRange mediaType(boolean weighted) throws MalformedHeaderException {
            String type = token();
            if (type == null) {
                throw error("expected a media type (type/subtype)");
            }
            skipSpace();
            if (!consume('/')) {
                throw error("expected \"/\"");
            }
            skipSpace();
            String subtype = token();
            if (subtype == null) {
                throw error("expected a subtype");
            }
            Map<String, String> parameters = new HashMap<>(4);
            double weight = 1;
            boolean weightSeen = false;
            while (true) {
                int before = pos;
                skipSpace();
                if (!consume(';')) {
                    pos = before;
                    break;
                }
                skipSpace();
                if (atEnd() || s.charAt(pos) == ';' || s.charAt(pos) == ',') {
                    continue; // an empty parameter, which the grammar allows
                }
                int nameAt = pos;
                String name = token();
                if (name == null) {
                    throw error("expected a parameter name");
                }
                name = lower(name);
                skipSpace();
                if (!consume('=')) {
                    throw error("expected \"=\"");
                }
                skipSpace();
                if (weighted && name.equals("q")) {
                    if (weightSeen) {
                        throw errorAt(nameAt, "duplicate parameter \"q\"");
                    }
                    weight = qvalue();
                    weightSeen = true;
                    continue;
                }
                String value = parameterValue();
                if (parameters.putIfAbsent(name, value) != null) {
                    throw errorAt(nameAt, "duplicate parameter \"" + name + "\"");
                }
            }
            return new MediaRange(new MediaType(lower(type), lower(subtype), parameters), weight);
        }

        /** {@code codings [ weight ]}. */
        ContentCoding coding() throws MalformedHeaderException {
            String name = token();
            if (name == null) {
                throw error("expected a content coding");
            }
            double weight = 1;
            int before = pos;
            skipSpace();
            if (consume(';')) {
                skipSpace();
                int at = pos;
                String parameter = token();
                if (parameter == null || !parameter.equalsIgnoreCase("q")) {
                    throw errorAt(at, "expected q=weight");
                }
                skipSpace();
                if (!consume('=')) {
                    throw error("expected \"=\"");
                }
                skipSpace();
                weight = qvalue();
            } else {
                pos = before;
            }
            return new ContentCoding(lower(name), weight);
        }

        private double qvalue() throws MalformedHeaderException {
            int at = pos;
            String value = token();
            if (value == null || !isQvalue(value)) {
                throw errorAt(at, QVALUE_RULE);
            }
            return Double.parseDouble(value);
        }

        /** {@code ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )}. */
        private static boolean isQvalue(String v) {
            char first = v.charAt(0);
            if (first != '0' && first != '1') {
                return false;
            }
            if (v.length() == 1) {
                return true;
            }
            if (v.charAt(1) != '.' || v.length() > 5) {
                return false;
            }
            for (int i = 2; i < v.length(); i++) {
                char c = v.charAt(i);
                if (first == '1' ? c != '0' : c < '0' || c > '9') {
                    return false;
                }
            }
            return true;
        }

        private String parameterValue() throws MalformedHeaderException {
            if (!atEnd() && s.charAt(pos) == '"') {
                return quotedString();
            }
            String value = token();
            if (value == null) {
                throw error("expected a parameter value");
            }
            return value;
        }

        /** {@code DQUOTE *( qdtext / "\" char ) DQUOTE}, unescaped. */
        private String quotedString() throws MalformedHeaderException {
            int start = pos;
            StringBuilder value = new StringBuilder();
            pos++;
            while (!atEnd()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\') {
                    if (atEnd()) {
                        break;
                    }
                    c = s.charAt(pos++);
                }
                value.append(c);
            }
            throw errorAt(start, "unterminated quoted string");
        }

        private String token() {
            int start = pos;
            while (!atEnd() && isTokenChar(s.charAt(pos))) {
                pos++;
            }
            return pos > start ? s.substring(start, pos) : null;
        }

        private boolean consume(char c) {
            if (!atEnd() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void skipSpace() {
            while (!atEnd() && isSpace(s.charAt(pos))) {
                pos++;
            }
        }

        private static boolean isSpace(char c) {
            return c == ' ' || c == '\t';
        }

        /** RFC 9110 {@code tchar}. */
        private static boolean isTokenChar(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }

        private static String lower(String s) {
            return s.toLowerCase(Locale.ROOT);
        }
    }
}
