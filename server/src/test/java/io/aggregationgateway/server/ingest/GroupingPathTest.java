package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.PushRejectedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The Pushgateway's path syntax, table-driven. */
class GroupingPathTest {

    static Stream<Arguments> validPaths() {
        return Stream.of(
                arguments("", Labels.EMPTY),
                arguments("/", Labels.EMPTY),
                arguments("/job/batch", Labels.of("job", "batch")),
                arguments("/job/batch/", Labels.of("job", "batch")),
                arguments("/job/batch/instance/host-1", Labels.of("job", "batch", "instance", "host-1")),
                arguments("/job/b/zone/eu/instance/i", Labels.of("job", "b", "zone", "eu", "instance", "i")),
                arguments("/job@base64/L3Zhci90bXA", Labels.of("job", "/var/tmp")),
                arguments("/job@base64/L3Zhci90bXA=", Labels.of("job", "/var/tmp")),
                arguments("/job/j/path@base64/L3Zhci90bXA", Labels.of("job", "j", "path", "/var/tmp")),
                arguments("/job/j/a@base64/w6Q", Labels.of("job", "j", "a", "ä")),
                arguments("/job/j/empty@base64/=", Labels.of("job", "j")),
                arguments("/job/j/empty/", Labels.of("job", "j")),
                arguments("/job/j/a/1/a/2", Labels.of("job", "j", "a", "2")),
                arguments("/job/j/job/other", Labels.of("job", "j")),
                arguments("/job/%C3%A4/a/%20b", Labels.of("job", "ä", "a", " b")),
                arguments("/job/j/a%40base64/w6Q", Labels.of("job", "j", "a", "ä")),
                // UTF-8 label names, U__-escaped as the Pushgateway decodes them
                arguments("/job/j/U__http_2e_method/GET", Labels.of("job", "j", "http.method", "GET")),
                arguments("/job/j/U__dotted_2e_label_2e_name@base64/bXlsYWJlbHZhbHVl",
                        Labels.of("job", "j", "dotted.label.name", "mylabelvalue")),
                arguments("/job/j/U__pi_e8_ce/x", Labels.of("job", "j", "pièce", "x")),
                arguments("/job/j/U___55_____/x", Labels.of("job", "j", "U__", "x")),
                arguments("/job/j/U__in_xxx_valid/x", Labels.of("job", "j", "U__in_xxx_valid", "x")),
                arguments("/job/j/U__job/other", Labels.of("job", "j")));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("utf8LabelNames")
    void aPathCarriesAnyLabelNameValuesEscaped(String name) throws Exception {
        String escaped = io.aggregationgateway.server.model.NameEscaping.VALUES.labelName(name);
        String path = "/job/j/" + java.net.URLEncoder.encode(escaped, java.nio.charset.StandardCharsets.UTF_8) + "/v";
        assertEquals(Labels.of("job", "j", name, "v"), GroupingPath.parse(path, false), path);
    }

    static Stream<String> utf8LabelNames() {
        return Stream.of("http.method", "a:b", "1st", "température", "mood😀", "x/y", "a b", "with_underscores.too", "_x.y");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("validPaths")
    void parses(String path, Labels expected) throws Exception {
        assertEquals(expected, GroupingPath.parse(path, false));
    }

    static Stream<Arguments> invalidPaths() {
        return Stream.of(
                arguments("/job/", "job name is required"),
                arguments("/job@base64/", "job name is required"),
                arguments("/job@base64/=", "job name is required"),
                arguments("/job/j/a", "odd number of components"),
                arguments("/job/j/a/1/", "odd number of components"),
                arguments("/job/j/1a/x", "improper label name \"1a\""),
                arguments("/job/j/__name__/x", "improper label name \"__name__\""),
                arguments("/job/j/a-b/x", "improper label name \"a-b\""),
                arguments("/job/j/a.b/x", "improper label name \"a.b\" in the path: write a name outside [a-zA-Z_][a-zA-Z0-9_]*"
                        + " escaped, as \"U__a_2e_b\""),
                arguments("/job/j/U______x/v", "improper label name \"U______x\""), // __x: reserved
                arguments("/job/j/U__/v", "improper label name \"U__\""),
                arguments("/job/j/a@base64/!!", "invalid base64 encoding for label a"),
                arguments("/jobs/x", "unknown path"),
                arguments("/job/%ff%fe", "path segment \"%ff%fe\" is not valid UTF-8"),
                arguments("/job/j/a/x%E4", "path segment \"x%E4\" is not valid UTF-8"),
                arguments("/job/j/a/%C0%AF", "path segment \"%C0%AF\" is not valid UTF-8"),
                arguments("/job@base64/__4", "path segment \"__4\" (base64 for label job) is not valid UTF-8"),
                arguments("/job/j/a@base64/__4=", "path segment \"__4=\" (base64 for label a) is not valid UTF-8"),
                arguments("/job/j/a/%zz", "path segment \"%zz\" has an invalid percent-encoding"),
                arguments("/job/j/a/%4", "path segment \"%4\" has an invalid percent-encoding"),
                arguments("/other", "unknown path"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("invalidPaths")
    void refuses(String path, String messagePart) {
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> GroupingPath.parse(path, false));
        assertTrue(e.getMessage().contains(messagePart), e::getMessage);
    }

    @org.junit.jupiter.api.Test
    void deletesMustNameAGroup() {
        assertThrows(PushRejectedException.class, () -> GroupingPath.parse("/", true));
    }
}
