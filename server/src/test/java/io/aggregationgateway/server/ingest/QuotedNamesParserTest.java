package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.ingest.TextFormatParser.Dialect;
import io.aggregationgateway.server.ingest.TextFormatParserTest.ModelText;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.aggregationgateway.server.ingest.TextFormatParser.Dialect.OPENMETRICS_1_0_0;
import static io.aggregationgateway.server.ingest.TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4;
import static io.aggregationgateway.server.ingest.TextFormatParserTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * UTF-8 metric and label names in text pushes, quoted as Prometheus 3 writes them (text 1.0.0):
 * {@code {"my.metric","http.method"="GET"} 1}, {@code # TYPE "my.metric" counter}.
 */
class QuotedNamesParserTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                arguments("the metric name first in braces, quoted label names", PROMETHEUS_TEXT_0_0_4,
                        "{\"my.metric\", \"http.method\"=\"GET\"} 1\n", """
                        my.metric untyped ""
                          {http.method="GET"} 1.0
                        """),
                arguments("a quoted name alone in braces, with a timestamp", PROMETHEUS_TEXT_0_0_4,
                        "{\"my.metric\"} 2 1700000000000\n", """
                        my.metric untyped ""
                          {} 2.0
                        """),
                arguments("metadata with quoted names, spaces in the name", PROMETHEUS_TEXT_0_0_4, """
                        # HELP "request count" Requests.
                        # TYPE "request count" counter
                        {"request count",code="200"} 3
                        """, """
                        request count counter "Requests."
                          {code="200"} 3.0
                        """),
                arguments("a quoted legacy name is the same name", PROMETHEUS_TEXT_0_0_4, """
                        # TYPE "plain_total" counter
                        plain_total{a="1"} 1
                        {"plain_total","a"="2"} 2
                        """, """
                        plain_total counter ""
                          {a="1"} 1.0
                          {a="2"} 2.0
                        """),
                arguments("a histogram's samples by quoted names", PROMETHEUS_TEXT_0_0_4, """
                        # TYPE "my.latency" histogram
                        {"my.latency_bucket","le"="0.5"} 1
                        {"my.latency_bucket",le="+Inf"} 2
                        {"my.latency_sum"} 0.75
                        {"my.latency_count"} 2
                        """, """
                        my.latency histogram ""
                          {} histogram [0.5:1.0, +Inf:2.0] count=2.0 sum=0.75
                        """),
                arguments("non-ASCII names", PROMETHEUS_TEXT_0_0_4, "{\"température\",\"pièce\"=\"cuisine\"} 19.5\n", """
                        température untyped ""
                          {pièce="cuisine"} 19.5
                        """),
                arguments("an OpenMetrics counter by quoted names, with _created", OPENMETRICS_1_0_0, """
                        # TYPE "my.jobs" counter
                        # HELP "my.jobs" Jobs done.
                        {"my.jobs_total","queue.name"="a"} 3
                        {"my.jobs_created","queue.name"="a"} 1700000000
                        # EOF
                        """, """
                        my.jobs_total counter "Jobs done."
                          {queue.name="a"} 3.0
                        """),
                arguments("an exemplar with a quoted label name", OPENMETRICS_1_0_0,
                        "# TYPE c counter\nc_total 1 # {\"trace.id\"=\"abc\"} 1.0\n# EOF\n", """
                        c_total counter ""
                          {} 1.0
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parses(String description, Dialect dialect, String input, String expected) throws PushRejectedException {
        assertEquals(expected, ModelText.render(parse(dialect, input)));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("{foo} 1\n", "line 1: expected metric name or '#', found '{'"),
                arguments("{} 1\n", "line 1: expected metric name or '#', found '{'"),
                arguments("{\"a} 1\n", "line 1: expected '\"' to close the quoted metric name after '{' \"\\\"a} 1\", found end of line"),
                arguments("{\"\"} 1\n", "line 1: expected a metric name after '{' between the quotes, found \"\""),
                arguments("{\"a\" 1\n", "line 1: expected ',' or '}' after metric name \"a\", found '1'"),
                arguments("{\"a\",b} 1\n", "line 1: expected '=' after label name \"b\", found '}'"),
                arguments("m{\"other\"} 1\n", "line 1: expected '=' after label name \"other\", found '}'"),
                arguments("m{\"\"=\"x\"} 1\n", "line 1: expected a label name between the quotes, found \"\""),
                arguments("m{\"a\\tb\"=\"x\"} 1\n", "line 1: invalid escape sequence '\\t' in the quoted label name \"\\\"a\\\\tb\\\"\""),
                arguments("{\"a\",le=\"1\",\"le\"=\"2\"} 1\n", "line 1: label name le appears twice in sample \"a\""),
                arguments("# TYPE \"a\"b counter\n", "line 1: expected metric name after # TYPE, found \"\\\"a\\\"b\""),
                arguments("# TYPE \"a\" counter\n# TYPE a gauge\n", "line 2: second TYPE line for metric name \"a\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refuses(String input, String message) {
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> parse(PROMETHEUS_TEXT_0_0_4, input));
        assertEquals(RejectionReason.MALFORMED, e.reason());
        assertTrue(e.getMessage().startsWith(message), () -> "expected [" + message + "] at the start of: " + e.getMessage());
    }

    @Test
    void quotedNamesAreUnescapedAsLabelValues() throws PushRejectedException {
        List<MetricFamily> families = parse(PROMETHEUS_TEXT_0_0_4,
                "{\"a\\\"b\\\\c\\nd\",\"x\\\"y\"=\"v\"} 1\n{\"a\\\"b\\\\c\\nd\"} 2\n");
        assertEquals(1, families.size(), "both samples name one family");
        assertEquals("a\"b\\c\nd", families.getFirst().name());
        assertEquals(Labels.of("x\"y", "v"), families.getFirst().series().getFirst().labels());
    }

    @Test
    void refusesInvalidUtf8InAQuotedName() {
        byte[] body = {'{', '"', 'a', (byte) 0xff, '"', '}', ' ', '1', '\n'};
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> new TextFormatParser(PROMETHEUS_TEXT_0_0_4).parse(body, 0, body.length));
        assertTrue(e.getMessage().startsWith("line 1: invalid UTF-8 in the quoted metric name after '{'"), e.getMessage());
    }
}
