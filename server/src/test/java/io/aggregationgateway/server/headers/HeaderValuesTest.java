package io.aggregationgateway.server.headers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The one reader of {@code Content-Type}, {@code Accept} and {@code Accept-Encoding}. Results are
 * written compactly: {@code type/subtype;name=value} with parameters sorted, {@code q=} when not 1.
 */
class HeaderValuesTest {

    static Stream<Arguments> contentTypes() {
        return Stream.of(
                arguments("text/plain", "text/plain"),
                arguments("text/plain; version=0.0.4; charset=utf-8", "text/plain;charset=utf-8;version=0.0.4"),
                arguments("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
                        "application/vnd.google.protobuf;encoding=delimited;proto=io.prometheus.client.MetricFamily"),
                // case: type, subtype and names fold; values stay as sent
                arguments("Application/OpenMetrics-Text; Version=1.0.0; CHARSET=UTF-8",
                        "application/openmetrics-text;charset=UTF-8;version=1.0.0"),
                // spacing: around ";" as RFC 9110 allows, around "/" and "=" as senders write it
                arguments("  text/plain  ;version=0.0.4 ;  charset=utf-8  ", "text/plain;charset=utf-8;version=0.0.4"),
                arguments("text / plain; version = 0.0.4", "text/plain;version=0.0.4"),
                arguments("text/plain;\tversion=0.0.4", "text/plain;version=0.0.4"),
                // empty parameters are allowed
                arguments("text/plain;", "text/plain"),
                arguments("text/plain;;version=0.0.4;;", "text/plain;version=0.0.4"),
                arguments("text/plain; ; ", "text/plain"),
                // quoted strings: quotes removed, quoted pairs unescaped, separators inside kept
                arguments("text/plain; charset=\"utf-8\"", "text/plain;charset=utf-8"),
                arguments("a/b; x=\"1, 2; 3\"", "a/b;x=1, 2; 3"),
                arguments("a/b; x=\"say \\\"hi\\\" \\\\ bye\"", "a/b;x=say \"hi\" \\ bye"),
                arguments("a/b; x=\"\"", "a/b;x="),
                arguments("a/b; x=\"ü\"", "a/b;x=ü"),
                // q is an ordinary parameter outside Accept
                arguments("a/b; q=0.5", "a/b;q=0.5"),
                // every tchar
                arguments("!#$%&'*+-.^_`|~09AZaz/x", "!#$%&'*+-.^_`|~09azaz/x"),
                arguments("*/*", "*/*"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("contentTypes")
    void readsAContentType(String value, String expected) throws MalformedHeaderException {
        assertEquals(expected, describe(HeaderValues.contentType(value).orElseThrow()));
    }

    @Test
    void aMissingOrBlankContentTypeIsNone() throws MalformedHeaderException {
        assertTrue(HeaderValues.contentType(null).isEmpty());
        assertTrue(HeaderValues.contentType("").isEmpty());
        assertTrue(HeaderValues.contentType(" \t").isEmpty());
    }

    static Stream<Arguments> malformedContentTypes() {
        return Stream.of(
                arguments(";", "\";\" at character 1: expected a media type (type/subtype)"),
                arguments("text", "\"text\" at the end: expected \"/\""),
                arguments("text plain", "\"text plain\" at character 6: expected \"/\""),
                arguments("text/", "\"text/\" at the end: expected a subtype"),
                arguments("/plain", "\"/plain\" at character 1: expected a media type (type/subtype)"),
                arguments("text/plain extra", "\"text/plain extra\" at character 12: expected \";\" or the end"),
                arguments("text/plain, text/html", "\"text/plain, text/html\" at character 11: expected \";\" or the end"),
                arguments("text/plain; version", "\"text/plain; version\" at the end: expected \"=\""),
                arguments("text/plain; version 1", "\"text/plain; version 1\" at character 21: expected \"=\""),
                arguments("text/plain; version=", "\"text/plain; version=\" at the end: expected a parameter value"),
                arguments("text/plain; version=;", "\"text/plain; version=;\" at character 21: expected a parameter value"),
                arguments("text/plain; =1", "\"text/plain; =1\" at character 13: expected a parameter name"),
                arguments("text/plain; v@r=1", "\"text/plain; v@r=1\" at character 14: expected \"=\""),
                arguments("text/plain; a=1 2", "\"text/plain; a=1 2\" at character 17: expected \";\" or the end"),
                arguments("text/plain; a=\"1", "\"text/plain; a=\\\"1\" at character 15: unterminated quoted string"),
                arguments("text/plain; a=\"1\\", "\"text/plain; a=\\\"1\\\\\" at character 15: unterminated quoted string"),
                arguments("text/plain; a=\"1\"x", "\"text/plain; a=\\\"1\\\"x\" at character 18: expected \";\" or the end"),
                arguments("text/plain; a=1; A=2", "\"text/plain; a=1; A=2\" at character 18: duplicate parameter \"a\""),
                arguments("tëxt/plain", "\"tëxt/plain\" at character 2: expected \"/\""),
                arguments("\"text/plain\"", "\"\\\"text/plain\\\"\" at character 1: expected a media type (type/subtype)"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformedContentTypes")
    void refusesAMalformedContentType(String value, String where) {
        MalformedHeaderException e = assertThrows(MalformedHeaderException.class, () -> HeaderValues.contentType(value));
        assertEquals("malformed Content-Type header " + where, e.getMessage());
        assertEquals("Content-Type", e.header());
    }

    static Stream<Arguments> accepts() {
        return Stream.of(
                arguments(null, ""),
                arguments("", ""),
                arguments(" , ,, ", ""),
                arguments("*/*", "*/*"),
                arguments("text/*;q=0.5", "text/* q=0.5"),
                // what Prometheus 3 sends
                arguments("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                                + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,*/*;q=0.1",
                        "application/openmetrics-text;escaping=allow-utf-8;version=1.0.0 q=0.6 | "
                                + "text/plain;escaping=allow-utf-8;version=1.0.0 q=0.3 | */* q=0.1"),
                // q: any case, any place, 0 to 1 with up to 3 decimals; removed from the parameters
                arguments("a/b;Q=0.5;x=1", "a/b;x=1 q=0.5"),
                arguments("a/b;q=0,c/d;q=0.,e/f;q=0.001,g/h;q=1.000,i/j;q=1", "a/b q=0.0 | c/d q=0.0 | e/f q=0.001 | g/h | i/j"),
                arguments("a/b ; q = 0.25", "a/b q=0.25"),
                // ranges that break the grammar are left out, the others kept
                arguments("a/b;q=1.5,c/d", "c/d"),
                arguments("a/b;q=1.001,c/d", "c/d"),
                arguments("a/b;q=0.0001,c/d", "c/d"),
                arguments("a/b;q=.5,c/d", "c/d"),
                arguments("a/b;q=-1,c/d", "c/d"),
                arguments("a/b;q=high,c/d", "c/d"),
                arguments("a/b;q=\"0.5\",c/d", "c/d"),
                arguments("a/b;q=0.5;q=0.6,c/d", "c/d"),
                arguments("a/b;x=1;x=2,c/d", "c/d"),
                arguments("*/b,c/d", "c/d"),
                arguments("garbage;;=,c/d;q=0.5", "c/d q=0.5"),
                arguments("a/b;x=\"1,2\"junk,c/d", "c/d"),
                arguments("a/b;x=\"1,\\\"2\"junk,c/d", "c/d"),
                arguments("a/b;x=\"1,2;q=0\",c/d", "a/b;x=1,2;q=0 | c/d"),
                arguments("a/b;x=\"unterminated, c/d", ""),
                arguments("a/b extra, c/d", "c/d"),
                arguments(";;;", ""));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("accepts")
    void readsAccept(String value, String expected) {
        assertEquals(expected, HeaderValues.accept(value).stream()
                .map(r -> describe(r.mediaType()) + (r.weight() == 1 ? "" : " q=" + r.weight()))
                .collect(Collectors.joining(" | ")));
    }

    static Stream<Arguments> acceptEncodings() {
        return Stream.of(
                arguments(null, ""),
                arguments("", ""),
                arguments(" , ", ""),
                arguments("gzip", "gzip"),
                arguments("gzip, deflate, br, zstd", "gzip | deflate | br | zstd"),
                arguments("GZIP;Q=0.5, *;q=0", "gzip q=0.5 | * q=0.0"),
                arguments("gzip ; q = 0.5 ,identity;q=1.0", "gzip q=0.5 | identity"),
                arguments("x-gzip,,gzip;q=0.", "x-gzip | gzip q=0.0"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("acceptEncodings")
    void readsAcceptEncoding(String value, String expected) throws MalformedHeaderException {
        assertEquals(expected, HeaderValues.acceptEncoding(value).stream()
                .map(c -> c.name() + (c.weight() == 1 ? "" : " q=" + c.weight()))
                .collect(Collectors.joining(" | ")));
    }

    static Stream<Arguments> malformedAcceptEncodings() {
        return Stream.of(
                arguments(";", "\";\" at character 1: expected a content coding"),
                arguments("gzip, ;", "\"gzip, ;\" at character 7: expected a content coding"),
                arguments("gzip;", "\"gzip;\" at the end: expected q=weight"),
                arguments("gzip;level=9", "\"gzip;level=9\" at character 6: expected q=weight"),
                arguments("gzip;q", "\"gzip;q\" at the end: expected \"=\""),
                arguments("gzip;q=", "\"gzip;q=\" at the end: expected a weight from 0 to 1 with at most 3 decimals"),
                arguments("gzip;q=abc", "\"gzip;q=abc\" at character 8: expected a weight from 0 to 1 with at most 3 decimals"),
                arguments("gzip;q=2", "\"gzip;q=2\" at character 8: expected a weight from 0 to 1 with at most 3 decimals"),
                arguments("gzip;q=0.5;q=1", "\"gzip;q=0.5;q=1\" at character 11: expected \";\", \",\" or the end"),
                arguments("gzip deflate", "\"gzip deflate\" at character 6: expected \";\", \",\" or the end"),
                arguments("\"gzip\"", "\"\\\"gzip\\\"\" at character 1: expected a content coding"),
                arguments("text/plain", "\"text/plain\" at character 5: expected \";\", \",\" or the end"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformedAcceptEncodings")
    void refusesAMalformedAcceptEncoding(String value, String where) {
        MalformedHeaderException e = assertThrows(MalformedHeaderException.class, () -> HeaderValues.acceptEncoding(value));
        assertEquals("malformed Accept-Encoding header " + where, e.getMessage());
    }

    /**
     * Random media types written with random case, spacing, quoting and empty parameters read
     * back as they were built; random bytes never throw anything but the checked exception.
     * The base seed is random per run and printed on failure; rerun with {@code -Dheaders.seed=<seed>}.
     */
    @Test
    void randomValuesReadBackOrAreRefusedCleanly() {
        long base = Long.getLong("headers.seed", new Random().nextLong());
        String tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        String noise = "a/;=,\" \t\\qQ0.1*x";
        for (int i = 0; i < 2000; i++) {
            long seed = base + i;
            Random random = new Random(seed);
            String type = randomToken(random, tchars);
            while (type.equals("*")) { // */subtype is no range
                type = randomToken(random, tchars);
            }
            String subtype = randomToken(random, tchars);
            Map<String, String> parameters = new TreeMap<>();
            int count = random.nextInt(4);
            for (int p = 0; p < count; p++) {
                String name = randomToken(random, tchars).toLowerCase(Locale.ROOT);
                if (!name.equals("q")) {
                    parameters.put(name, random.nextBoolean() ? randomToken(random, tchars) : randomText(random));
                }
            }
            StringBuilder written = new StringBuilder(mixCase(random, type)).append(space(random)).append('/')
                    .append(space(random)).append(mixCase(random, subtype));
            for (Map.Entry<String, String> e : parameters.entrySet()) {
                written.append(space(random)).append(';').append(space(random));
                if (random.nextInt(5) == 0) {
                    written.append(';').append(space(random)); // an empty parameter
                }
                written.append(mixCase(random, e.getKey())).append('=').append(quoteIfNeeded(random, e.getValue(), tchars));
            }
            double weight = random.nextInt(1001) / 1000.0;
            String accept = written + ";q=" + String.format(Locale.ROOT, "%.3f", weight) + ", x/y";
            MediaType expected = new MediaType(type.toLowerCase(Locale.ROOT), subtype.toLowerCase(Locale.ROOT), parameters);
            try {
                assertEquals(expected, HeaderValues.contentType(written.toString()).orElseThrow(), "seed " + seed + ": " + written);
                List<MediaRange> ranges = HeaderValues.accept(accept);
                assertEquals(List.of(new MediaRange(expected, weight), new MediaRange(new MediaType("x", "y", Map.of()), 1)),
                        ranges, "seed " + seed + ": " + accept);
            } catch (MalformedHeaderException e) {
                fail("seed " + seed + ": " + e.getMessage());
            }

            StringBuilder junk = new StringBuilder();
            int length = random.nextInt(20);
            for (int c = 0; c < length; c++) {
                junk.append(noise.charAt(random.nextInt(noise.length())));
            }
            try {
                HeaderValues.contentType(junk.toString());
            } catch (MalformedHeaderException expectedForJunk) {
                // refused cleanly
            }
            try {
                HeaderValues.acceptEncoding(junk.toString());
            } catch (MalformedHeaderException expectedForJunk) {
                // refused cleanly
            }
            HeaderValues.accept(junk.toString());
        }
    }

    private static String describe(MediaType type) {
        StringBuilder out = new StringBuilder(type.type()).append('/').append(type.subtype());
        new TreeMap<>(type.parameters()).forEach((name, value) -> out.append(';').append(name).append('=').append(value));
        return out.toString();
    }

    private static String randomToken(Random random, String tchars) {
        StringBuilder out = new StringBuilder();
        int length = 1 + random.nextInt(8);
        for (int i = 0; i < length; i++) {
            out.append(tchars.charAt(random.nextInt(tchars.length())));
        }
        return out.toString();
    }

    private static String randomText(Random random) {
        String pieces = " ,;=/\"\\aZ0\tü€";
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(8);
        for (int i = 0; i < length; i++) {
            out.append(pieces.charAt(random.nextInt(pieces.length())));
        }
        return out.toString();
    }

    private static String quoteIfNeeded(Random random, String value, String tchars) {
        boolean token = !value.isEmpty() && value.chars().allMatch(c -> tchars.indexOf(c) >= 0);
        if (token && random.nextBoolean()) {
            return value;
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String mixCase(Random random, String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return out.toString();
    }

    private static String space(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> " ";
            case 1 -> "\t ";
            default -> "";
        };
    }
}
