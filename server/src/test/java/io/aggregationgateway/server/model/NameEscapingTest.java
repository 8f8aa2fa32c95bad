package io.aggregationgateway.server.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.aggregationgateway.server.model.NameEscaping.ALLOW_UTF8;
import static io.aggregationgateway.server.model.NameEscaping.DOTS;
import static io.aggregationgateway.server.model.NameEscaping.UNDERSCORES;
import static io.aggregationgateway.server.model.NameEscaping.VALUES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The escaping schemes as Prometheus's escaping specification and prometheus/common's
 * {@code EscapeMetricFamily} have them, and the {@code U__} decoding of Pushgateway paths.
 */
class NameEscapingTest {

    static Stream<Arguments> metricNames() {
        return Stream.of(
                // the specification's examples
                arguments("metric.name/with/slashes", UNDERSCORES, "metric_name_with_slashes"),
                arguments("metric.name.with.dots", DOTS, "metric_dot_name_dot_with_dot_dots"),
                arguments("metric.name", VALUES, "U__metric_2e_name"),
                // legacy names are never changed, not even their underscores by dots
                arguments("http_requests_total", UNDERSCORES, "http_requests_total"),
                arguments("http_requests_total", DOTS, "http_requests_total"),
                arguments("http_requests_total", VALUES, "http_requests_total"),
                arguments("job:rate:5m", VALUES, "job:rate:5m"),
                // underscores of a name that needs escaping
                arguments("my_app.requests", DOTS, "my__app_dot_requests"),
                arguments("my_app.requests", VALUES, "U__my__app_2e_requests"),
                arguments("my_app.requests", UNDERSCORES, "my_app_requests"),
                // a leading digit, other characters, code points beyond the BMP
                arguments("1st", UNDERSCORES, "_st"),
                arguments("1st", DOTS, "__st"),
                arguments("1st", VALUES, "U___31_st"),
                arguments("temp-°C", UNDERSCORES, "temp__C"),
                arguments("temp-°C", DOTS, "temp____C"),
                arguments("temp-°C", VALUES, "U__temp_2d__b0_C"),
                arguments("mood😀", VALUES, "U__mood_1f600_"),
                arguments("mood😀", UNDERSCORES, "mood_"),
                arguments("Προμηθεύς", VALUES, "U___3a0__3c1__3bf__3bc__3b7__3b8__3b5__3cd__3c2_"),
                arguments("a.b", ALLOW_UTF8, "a.b"));
    }

    @ParameterizedTest(name = "{0} with {1}: {2}")
    @MethodSource("metricNames")
    void escapesMetricNames(String name, NameEscaping scheme, String expected) {
        assertEquals(expected, scheme.metricName(name));
    }

    @Test
    void labelNamesEscapeTheColonALegacyLabelNameCannotHold() {
        assertEquals("a_b", UNDERSCORES.labelName("a:b"));
        assertEquals("a__b", DOTS.labelName("a:b"));
        assertEquals("U__a_3a_b", VALUES.labelName("a:b"));
        assertEquals("a:b", VALUES.metricName("a:b"));
        assertEquals("http_method", UNDERSCORES.labelName("http.method"));
        assertEquals("U__http_2e_method", VALUES.labelName("http.method"));
        assertEquals("le", DOTS.labelName("le"));
    }

    static Stream<Arguments> pathNames() {
        return Stream.of(
                arguments("U__foo_2e_bar", "foo.bar"),
                arguments("U__dotted_2e_label_2e_name", "dotted.label.name"),
                arguments("U___55_____", "U__"), // the Pushgateway's own example
                arguments("U__a__b", "a_b"),
                arguments("U__mood_1F600_", "mood😀"),
                arguments("U__x_10ffff_", "x\udbff\udfff"),
                arguments("U__", ""),
                // not escaped, or not decodable: as they are
                arguments("plain", "plain"),
                arguments("u__foo_2e_bar", "u__foo_2e_bar"),
                arguments("U__in_xxx_valid", "U__in_xxx_valid"),
                arguments("U__a_2e", "U__a_2e"),
                arguments("U__a_", "U__a_"),
                arguments("U__a_1234567_", "U__a_1234567_"),
                arguments("U__a_110000_", "U__a_110000_"),
                arguments("U__a_d800_", "U__a_d800_"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pathNames")
    void decodesValuesEscapingAsThePushgateway(String escaped, String expected) {
        assertEquals(expected, NameEscaping.unescapeValues(escaped));
    }

    @Test
    void parameterValuesAreThoseOfTheHeaders() {
        assertEquals(List.of("allow-utf-8", "underscores", "dots", "values"),
                Stream.of(NameEscaping.values()).map(NameEscaping::parameterValue).toList());
        for (NameEscaping scheme : NameEscaping.values()) {
            assertEquals(scheme, NameEscaping.fromParameter(scheme.parameterValue()).orElseThrow());
        }
        assertTrue(NameEscaping.fromParameter("Underscores").isEmpty());
        assertTrue(NameEscaping.fromParameter("utf-8").isEmpty());
    }

    // ------------------------------------------------------------------------ properties

    private static final String[] PIECES = {
        "a", "Z", "_", "0", "9", ":", ".", "-", "/", " ", "\"", "\\", "\n", "é", "°", "日", "😀", "U", "__", "_2e_", "dot"
    };

    private static String randomName(Random random) {
        StringBuilder name = new StringBuilder();
        int pieces = 1 + random.nextInt(8);
        for (int i = 0; i < pieces; i++) {
            name.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return name.toString();
    }

    @Test
    void everyEscapingMakesALegacyNameAndLeavesLegacyNamesAlone() {
        Random random = new Random(0x5eed_e5c);
        for (int i = 0; i < 20_000; i++) {
            String name = randomName(random);
            for (NameEscaping scheme : NameEscaping.ESCAPING) {
                String metric = scheme.metricName(name);
                String label = scheme.labelName(name);
                assertTrue(MetricNames.isLegacyMetricName(metric), () -> scheme + " " + name + " -> " + metric);
                assertTrue(MetricNames.isLegacyLabelName(label), () -> scheme + " " + name + " -> " + label);
                if (MetricNames.isLegacyMetricName(name)) {
                    assertEquals(name, metric);
                }
                if (MetricNames.isLegacyLabelName(name)) {
                    assertEquals(name, label);
                }
            }
            assertEquals(name, ALLOW_UTF8.metricName(name));
            assertEquals(name, ALLOW_UTF8.labelName(name));
        }
    }

    @Test
    void valuesEscapingRoundTrips() {
        Random random = new Random(0x5eed_7a1);
        for (int i = 0; i < 20_000; i++) {
            String name = randomName(random);
            String label = VALUES.labelName(name);
            String metric = VALUES.metricName(name);
            if (!MetricNames.isLegacyLabelName(name)) {
                assertEquals(name, NameEscaping.unescapeValues(label), () -> name + " -> " + label);
            }
            if (!MetricNames.isLegacyMetricName(name)) {
                assertEquals(name, NameEscaping.unescapeValues(metric), () -> name + " -> " + metric);
            }
            if (!name.startsWith("U__")) {
                assertEquals(name, NameEscaping.unescapeValues(name), "a name without the prefix is no escape");
            }
        }
    }
}
