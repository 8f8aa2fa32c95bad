package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.ingest.TextFormatParser.Dialect;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static io.aggregationgateway.server.ingest.TextFormatParser.Dialect.OPENMETRICS_1_0_0;
import static io.aggregationgateway.server.ingest.TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class TextFormatParserTest {

    private static final TextFormatParser PROMETHEUS = new TextFormatParser(PROMETHEUS_TEXT_0_0_4);
    private static final TextFormatParser OPENMETRICS = new TextFormatParser(OPENMETRICS_1_0_0);

    static List<MetricFamily> parse(Dialect dialect, String body) throws PushRejectedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return (dialect == PROMETHEUS_TEXT_0_0_4 ? PROMETHEUS : OPENMETRICS).parse(bytes, 0, bytes.length);
    }

    // ------------------------------------------------------------------------- valid input

    static Stream<Arguments> validPrometheus() {
        return Stream.of(
                Arguments.of("counter with help and type", """
                        # HELP requests_total Requests served.
                        # TYPE requests_total counter
                        requests_total{method="get",code="200"} 1027
                        requests_total{method="post",code="400"} 3
                        """, """
                        requests_total counter "Requests served."
                          {code="200",method="get"} 1027.0
                          {code="400",method="post"} 3.0
                        """),
                Arguments.of("a sample named as the start of the name before, or the name before as its start",
                        "foo 1\nfoo_bar 2\nfoo 3\nfo 4\nfoo_bar{a=\"1\"} 5\n", """
                        foo untyped ""
                          {} 1.0
                          {} 3.0
                        foo_bar untyped ""
                          {} 2.0
                          {a="1"} 5.0
                        fo untyped ""
                          {} 4.0
                        """),
                Arguments.of("quotes, backslashes and UTF-8 at the start, middle and end of label values longer than eight bytes",
                        "m{a=\"\\\"bcdefghijklmnop\",b=\"abcdefgh\\\\ijklmnop\",c=\"abcdefghijklmno\\n\",d=\"abcdefghé\",e=\"abcdefgh\"} 1\n", """
                        m untyped ""
                          {a="\\"bcdefghijklmnop",b="abcdefgh\\\\ijklmnop",c="abcdefghijklmno\\n",d="abcdefghé",e="abcdefgh"} 1.0
                        """),
                Arguments.of("escapes in label values", "m{a=\"x\\\\y\\\"z\\nw\",b=\"\\\\n\"} 1\n", """
                        m untyped ""
                          {a="x\\\\y\\"z\\nw",b="\\\\n"} 1.0
                        """),
                Arguments.of("escapes in help", "# HELP m a\\\\b\\nc \"q\" \\\\n\nm 1\n", """
                        m untyped "a\\\\b\\nc \\"q\\" \\\\n"
                          {} 1.0
                        """),
                Arguments.of("non-ASCII label values and help", "# HELP m café ☕ 😀\nm{a=\"日本\",b=\"😀\"} 1\n", """
                        m untyped "café ☕ 😀"
                          {a="日本",b="😀"} 1.0
                        """),
                Arguments.of("special values", """
                        # TYPE g gauge
                        g{v="1"} +Inf
                        g{v="2"} -Inf
                        g{v="3"} Inf
                        g{v="4"} inf
                        g{v="5"} NaN
                        g{v="6"} nan
                        g{v="7"} -inf
                        g{v="8"} +infinity
                        g{v="9"} Infinity
                        g{v="10"} -0
                        """, """
                        g gauge ""
                          {v="1"} +Inf
                          {v="2"} -Inf
                          {v="3"} +Inf
                          {v="4"} +Inf
                          {v="5"} NaN
                          {v="6"} NaN
                          {v="7"} -Inf
                          {v="8"} +Inf
                          {v="9"} +Inf
                          {v="10"} -0.0
                        """),
                Arguments.of("number forms", """
                        g{v="a"} 1e3
                        g{v="b"} 1.5E-7
                        g{v="c"} -2.5e+2
                        g{v="d"} .5
                        g{v="e"} 5.
                        g{v="f"} +1
                        g{v="g"} 0.1
                        g{v="h"} 123456789012345678901234567890
                        g{v="i"} 1e-400
                        g{v="j"} 9007199254740993
                        g{v="k"} 0.30000000000000004
                        g{v="l"} 1.7976931348623157e308
                        g{v="m"} 4.9e-324
                        g{v="n"} 000123.4500
                        g{v="o"} 0e999
                        """, """
                        g untyped ""
                          {v="a"} 1000.0
                          {v="b"} 1.5E-7
                          {v="c"} -250.0
                          {v="d"} 0.5
                          {v="e"} 5.0
                          {v="f"} 1.0
                          {v="g"} 0.1
                          {v="h"} 1.2345678901234568E29
                          {v="i"} 0.0
                          {v="j"} 9.007199254740992E15
                          {v="k"} 0.30000000000000004
                          {v="l"} 1.7976931348623157E308
                          {v="m"} 4.9E-324
                          {v="n"} 123.45
                          {v="o"} 0.0
                        """),
                Arguments.of("timestamps are dropped", """
                        m{a="1"} 1 1712345678901
                        m{a="2"} 2 -5
                        m{a="3"} 3\t+7
                        """, """
                        m untyped ""
                          {a="1"} 1.0
                          {a="2"} 2.0
                          {a="3"} 3.0
                        """),
                Arguments.of("comments, blank lines, blanks", """
                        # a comment
                        #
                        #  TYPE
                        # EOF is just a comment in 0.0.4

                          \t
                          m   {  a = "1" ,  b="2" , }   7  \t
                        \tm{} 8
                        # HELP
                        # TYPE m
                        """, """
                        m untyped ""
                          {a="1",b="2"} 7.0
                          {} 8.0
                        """),
                Arguments.of("CRLF line endings", "# HELP m h\r\n# TYPE m gauge\r\nm{a=\"1\"} 1\r\n\r\nm 2 123\r\n", """
                        m gauge "h"
                          {a="1"} 1.0
                          {} 2.0
                        """),
                Arguments.of("no trailing newline", "# TYPE m counter\nm 1", """
                        m counter ""
                          {} 1.0
                        """),
                Arguments.of("untyped samples, help without type, value right after labels", """
                        # HELP b Help of b.
                        a 1
                        b{x="y"}2
                        c_total 3
                        """, """
                        b untyped "Help of b."
                          {x="y"} 2.0
                        a untyped ""
                          {} 1.0
                        c_total untyped ""
                          {} 3.0
                        """),
                Arguments.of("type names are case-insensitive, empty label values dropped", """
                        # TYPE m COUNTER
                        m{a="",b="x"} 1
                        """, """
                        m counter ""
                          {b="x"} 1.0
                        """),
                Arguments.of("histogram grouping, buckets out of order", """
                        # HELP h Latency.
                        # TYPE h histogram
                        h_bucket{path="/a",le="1"} 3
                        h_bucket{path="/a",le="+Inf"} 5
                        h_bucket{path="/a",le="0.5"} 1
                        h_sum{path="/a"} 7.5
                        h_count{path="/a"} 5
                        h_bucket{le="1e-3",path="/b"} 0
                        h_count{path="/b"} 0
                        h_created{path="/a"} 1.7e9
                        h_count{path="/c"} 4
                        """, """
                        h histogram "Latency."
                          {path="/a"} histogram [0.5:1.0, 1.0:3.0, +Inf:5.0] count=5.0 sum=7.5
                          {path="/b"} histogram [0.001:0.0] count=0.0 sum=-
                          {path="/c"} histogram [] count=4.0 sum=-
                        """),
                Arguments.of("summary grouping, quantiles dropped", """
                        # TYPE s summary
                        s{quantile="0.5"} 1
                        s{quantile="0.99"} 2
                        s_sum 10
                        s_count 4
                        s{job="x",quantile="0.5"} 1
                        s_created 1.7e9
                        s_sum{job="y"} 3
                        """, """
                        s summary ""
                          {} summary count=4.0 sum=10.0
                          {job="x"} summary count=- sum=-
                          {job="y"} summary count=- sum=3.0
                        """),
                Arguments.of("_created samples inside counter families are dropped", """
                        # TYPE a_total counter
                        a_total 1
                        a_created 1.7e9
                        # TYPE b counter
                        b 2
                        b_created 1.7e9
                        # TYPE g gauge
                        g 3
                        g_created 4
                        """, """
                        a_total counter ""
                          {} 1.0
                        b counter ""
                          {} 2.0
                        g gauge ""
                          {} 3.0
                        g_created untyped ""
                          {} 4.0
                        """),
                Arguments.of("standalone _created families (client_python 0.0.4) are dropped", """
                        # HELP c_total A counter.
                        # TYPE c_total counter
                        c_total{a="1"} 1.0
                        # HELP c_created A counter.
                        # TYPE c_created gauge
                        c_created{a="1"} 1.7e9
                        # TYPE h histogram
                        h_bucket{le="+Inf"} 1
                        h_count 1
                        h_sum 1
                        # TYPE h_created gauge
                        h_created 1.7e9
                        # TYPE s summary
                        s_count 1
                        # TYPE s_created gauge
                        s_created 1.7e9
                        # TYPE d counter
                        d 1
                        d_created 1.7e9
                        # TYPE kept_created gauge
                        kept_created 5
                        """, """
                        c_total counter "A counter."
                          {a="1"} 1.0
                        h histogram ""
                          {} histogram [+Inf:1.0] count=1.0 sum=1.0
                        s summary ""
                          {} summary count=1.0 sum=-
                        d counter ""
                          {} 1.0
                        kept_created gauge ""
                          {} 5.0
                        """),
                Arguments.of("families split across the body are merged", """
                        # TYPE a gauge
                        a{i="1"} 1
                        # TYPE h histogram
                        h_bucket{le="1"} 1
                        b 2
                        a{i="2"} 3
                        h_bucket{le="+Inf"} 2
                        h_count 2
                        b 4
                        """, """
                        a gauge ""
                          {i="1"} 1.0
                          {i="2"} 3.0
                        h histogram ""
                          {} histogram [1.0:1.0, +Inf:2.0] count=2.0 sum=-
                        b untyped ""
                          {} 2.0
                          {} 4.0
                        """),
                Arguments.of("families without samples are left out", """
                        # HELP empty Nothing here.
                        # TYPE empty counter
                        # TYPE m gauge
                        m 1
                        """, """
                        m gauge ""
                          {} 1.0
                        """),
                Arguments.of("names with colons, labels that look like le/quantile elsewhere", """
                        job:rate:5m{le="x",quantile="y"} 1
                        """, """
                        job:rate:5m untyped ""
                          {le="x",quantile="y"} 1.0
                        """),
                Arguments.of("exact family name wins over a suffix match", """
                        # TYPE x summary
                        # TYPE x_count gauge
                        x_count 3
                        x_sum 4
                        """, """
                        x summary ""
                          {} summary count=- sum=4.0
                        x_count gauge ""
                          {} 3.0
                        """),
                Arguments.of("identical scalar series are kept (the engine rejects them)", """
                        m{a="1"} 1
                        m{a="1"} 2
                        """, """
                        m untyped ""
                          {a="1"} 1.0
                          {a="1"} 2.0
                        """));
    }

    static Stream<Arguments> validOpenMetrics() {
        return Stream.of(
                Arguments.of("counter family is named x_total", """
                        # TYPE requests counter
                        # UNIT requests requests
                        # HELP requests Requests \\"served\\".
                        requests_total{code="200"} 10
                        requests_created{code="200"} 1.7e9
                        requests_total{code="500"} 1 1712345678.5
                        # EOF
                        """, """
                        requests_total counter "Requests \\"served\\"."
                          {code="200"} 10.0
                          {code="500"} 1.0
                        """),
                Arguments.of("exemplars are ignored", """
                        # TYPE c counter
                        c_total 5 # {trace_id="abc",span="x"} 1.5 1712345678.123
                        c_total{a="b"} 6 1712345678 # {} 2
                        # TYPE h histogram
                        h_bucket{le="1"} 1 # {trace_id="日本"} 0.5
                        h_bucket{le="+Inf"} 2
                        h_count 2
                        h_sum 1.5
                        h_created 1.7e9
                        # EOF""", """
                        c_total counter ""
                          {} 5.0
                          {a="b"} 6.0
                        h histogram ""
                          {} histogram [1.0:1.0, +Inf:2.0] count=2.0 sum=1.5
                        """),
                Arguments.of("gaugehistogram, info, stateset, unknown", """
                        # TYPE q gaugehistogram
                        q_bucket{le="10"} 2
                        q_bucket{le="+Inf"} 3
                        q_gcount 3
                        q_gsum 12
                        # TYPE build info
                        build_info{version="1.2"} 1
                        # TYPE state stateset
                        state{state="a"} 1
                        state{state="b"} 0
                        # TYPE u unknown
                        u 7
                        # TYPE s summary
                        s{quantile="0.9"} 1
                        s_count 2
                        s_sum 3
                        s_created 1.7e9
                        # EOF
                        """, """
                        q gaugehistogram ""
                          {} histogram [10.0:2.0, +Inf:3.0] count=3.0 sum=12.0
                        build_info gauge ""
                          {version="1.2"} 1.0
                        state gauge ""
                          {state="a"} 1.0
                          {state="b"} 0.0
                        u untyped ""
                          {} 7.0
                        s summary ""
                          {} summary count=2.0 sum=3.0
                        """),
                Arguments.of("CRLF and samples without metadata", "g 1\r\n# TYPE c counter\r\nc_total 2\r\n# EOF\r\n", """
                        g untyped ""
                          {} 1.0
                        c_total counter ""
                          {} 2.0
                        """),
                Arguments.of("empty body with only # EOF", "# EOF\n", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validPrometheus")
    void parsesValidPrometheusText(String description, String input, String expected) throws PushRejectedException {
        assertEquals(expected, ModelText.render(parse(PROMETHEUS_TEXT_0_0_4, input)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validOpenMetrics")
    void parsesValidOpenMetrics(String description, String input, String expected) throws PushRejectedException {
        assertEquals(expected, ModelText.render(parse(OPENMETRICS_1_0_0, input)));
    }

    /** The engine skips its name checks for label sets the parser says have plain names: it must say so only when true. */
    @Test
    void labelSetsKnowWhetherTheirNamesArePlain() throws PushRejectedException {
        String body = """
                m{a="1",b_2="x"} 1
                m{a="2",__b="x"} 1
                m{a="3","b"="x"} 1
                m{a="4","b.c"="x"} 1
                m{a="5","__b"="x"} 1
                m{a="6","é"="x"} 1
                m 1
                """;
        List<Boolean> expected = List.of(true, false, true, false, false, false, true);
        for (Dialect dialect : Dialect.values()) {
            String text = dialect == OPENMETRICS_1_0_0 ? body + "# EOF\n" : body;
            List<Series> series = parse(dialect, text).getFirst().series();
            assertEquals(expected, series.stream().map(s -> s.labels().hasPlainNames()).toList(), dialect.name());
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            List<Series> grouped = (dialect == PROMETHEUS_TEXT_0_0_4 ? PROMETHEUS : OPENMETRICS)
                    .parse(bytes, 0, bytes.length, Labels.of("job", "j")).getFirst().series();
            assertEquals(expected, grouped.stream().map(s -> s.labels().hasPlainNames()).toList(), dialect.name());
        }
    }

    @Test
    void labelValuesAreUnescaped() throws PushRejectedException {
        List<MetricFamily> families = parse(PROMETHEUS_TEXT_0_0_4, "m{a=\"x\\\\y\\\"z\\nw\",b=\"é\"} 1\n");
        ScalarSample sample = (ScalarSample) families.getFirst().series().getFirst();
        assertEquals("x\\y\"z\nw", sample.labels().get("a"));
        assertEquals("é", sample.labels().get("b"));
        assertEquals(Labels.of("a", "x\\y\"z\nw", "b", "é"), sample.labels());
    }

    @Test
    void parsesASliceOfTheArray() throws PushRejectedException {
        byte[] bytes = "garbage{m 1\nx 2\nmore garbage".getBytes(StandardCharsets.UTF_8);
        List<MetricFamily> families = PROMETHEUS.parse(bytes, 8, 8);
        assertEquals("""
                m untyped ""
                  {} 1.0
                x untyped ""
                  {} 2.0
                """, ModelText.render(families));
    }

    @Test
    void emptyBodyGivesNoFamilies() throws PushRejectedException {
        assertEquals(List.of(), parse(PROMETHEUS_TEXT_0_0_4, ""));
    }

    @Test
    void errorExcerptsAreCapped() {
        String huge = "x".repeat(100_000);
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> parse(PROMETHEUS_TEXT_0_0_4, "m " + huge + "\n"));
        assertTrue(e.getMessage().length() < 200, e.getMessage());
        assertTrue(e.getMessage().startsWith("line 1: expected a number as sample value, found \"xxx"), e.getMessage());
        e = assertThrows(PushRejectedException.class,
                () -> parse(PROMETHEUS_TEXT_0_0_4, "m{a=\"" + huge + "\"} 1\nm{a=\"" + huge + "\"} 1\n" + huge + "{a=\"1\",a=\"2\"} 1\n"));
        assertTrue(e.getMessage().length() < 250, e.getMessage());
    }

    /**
     * Line breaks are found eight bytes at a time: lines of every length from 0 to 24 bytes, with
     * '\n' or "\r\n", put the break at every place of an eight-byte word and in the body's last
     * bytes; each sample is read whole, and an error counts the lines right.
     */
    @Test
    void lineBreaksAreFoundWhereverTheyFall() throws PushRejectedException {
        for (String lineBreak : List.of("\n", "\r\n")) {
            for (int skew = 0; skew < 8; skew++) {
                StringBuilder text = new StringBuilder("#".repeat(skew)).append(lineBreak);
                StringBuilder expected = new StringBuilder("m untyped \"\"\n");
                int lines = 1;
                for (int length = 0; length <= 24; length++) {
                    String value = "v".repeat(length);
                    text.append("m{a=\"").append(value).append("\"} ").append(length).append(lineBreak);
                    text.append(" ".repeat(length)).append(lineBreak); // a line of blanks only
                    expected.append(length == 0 ? "  {} 0.0\n" : "  {a=\"" + value + "\"} " + length + ".0\n");
                    lines += 2;
                }
                String body = text.toString();
                assertEquals(expected.toString(), ModelText.render(parse(PROMETHEUS_TEXT_0_0_4, body)), body);
                // the last line without a break, ending at the body's end
                assertEquals(1, parse(PROMETHEUS_TEXT_0_0_4, body + "n 1").size() - 1);
                PushRejectedException e = assertThrows(PushRejectedException.class,
                        () -> parse(PROMETHEUS_TEXT_0_0_4, body + "bad{"));
                assertEquals("line " + (lines + 1) + ": expected label name or '}', found end of line", e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------------- label limit

    private static String labelsText(int n, String value) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",").append("l").append(i).append("=\"").append(value).append('"');
        }
        return out.append('}').toString();
    }

    /** A sample over the limit is refused when its labels are read, whichever the dialect. */
    @ParameterizedTest
    @MethodSource("dialects")
    void aSampleWithMoreLabelsThanTheLimitIsRefusedWhileParsing(Dialect dialect) throws PushRejectedException {
        TextFormatParser parser = new TextFormatParser(dialect, 64);
        String eof = dialect == OPENMETRICS_1_0_0 ? "# EOF\n" : "";
        String atLimit = "m" + labelsText(64, "v") + " 1\n";
        assertEquals(64, parser.parse(bytes(atLimit + eof), 0, bytes(atLimit + eof).length)
                .getFirst().series().getFirst().labels().size());

        byte[] over = bytes("ok 1\nm" + labelsText(65, "v") + " 1\n" + eof);
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> parser.parse(over, 0, over.length));
        assertEquals(RejectionReason.LABEL_LIMIT_EXCEEDED, e.reason());
        assertEquals("line 2: sample \"m\" has more labels than the limit of 64 (--max-labels-per-series)", e.getMessage());

        // 120,000 labels, 1.5 MB: refused at the 65th, never sorted, and the message stays short
        byte[] huge = bytes("m" + labelsText(120_000, "1") + " 1\n" + eof);
        e = assertThrows(PushRejectedException.class, () -> parser.parse(huge, 0, huge.length));
        assertEquals(RejectionReason.LABEL_LIMIT_EXCEEDED, e.reason());
        assertEquals("line 1: sample \"m\" has more labels than the limit of 64 (--max-labels-per-series)", e.getMessage());
    }

    static Stream<Dialect> dialects() {
        return Stream.of(PROMETHEUS_TEXT_0_0_4, OPENMETRICS_1_0_0);
    }

    /** The limit counts what the series will carry: not empty values, le, quantile or exemplar labels. */
    @Test
    void theLabelLimitCountsTheSeriesLabelsOnly() throws PushRejectedException {
        TextFormatParser parser = new TextFormatParser(OPENMETRICS_1_0_0, 2);
        byte[] body = bytes("""
                # TYPE h histogram
                h_bucket{a="1",b="2",le="+Inf",c=""} 1
                # TYPE s summary
                s{a="1",quantile="0.5",b="2"} 1
                # TYPE c counter
                c_total{a="1",b="2"} 1 # {x="1",y="2",z="3"} 1
                # EOF
                """);
        List<MetricFamily> families = parser.parse(body, 0, body.length);
        assertEquals(3, families.size());
        byte[] three = bytes("g{a=\"1\",b=\"\",c=\"3\",d=\"4\"} 1\n# EOF\n");
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> parser.parse(three, 0, three.length));
        assertEquals("line 1: sample \"g\" has more labels than the limit of 2 (--max-labels-per-series)", e.getMessage());
    }

    /** The most labels the gateway allows (--max-labels-per-series 10000), in reverse order, parse. */
    @Test
    void tenThousandLabelsInReverseOrderParse() throws PushRejectedException {
        StringBuilder text = new StringBuilder("m{");
        for (int i = 9_999; i >= 0; i--) {
            text.append(String.format("l%05d=\"%d\"", i, i)).append(i == 0 ? "}" : ",");
        }
        byte[] body = bytes(text.append(" 1\n").toString());
        Labels labels = new TextFormatParser(PROMETHEUS_TEXT_0_0_4, 10_000).parse(body, 0, body.length)
                .getFirst().series().getFirst().labels();
        assertEquals(10_000, labels.size());
        assertEquals("0", labels.get("l00000"));
        assertEquals("9999", labels.get("l09999"));
    }

    /** Messages carry a label set cut to a count, not whole. */
    @Test
    void aLargeLabelSetInAMessageIsCutToACount() {
        StringBuilder text = new StringBuilder("# TYPE h histogram\n");
        String labels = labelsText(1_000, "x".repeat(100));
        text.append("h_count").append(labels).append(" 1\n").append("h_count").append(labels).append(" 2\n");
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> parse(PROMETHEUS_TEXT_0_0_4, text.toString()));
        assertTrue(e.getMessage().startsWith("line 3: duplicate sample \"h_count\" for histogram \"h\" series {l0=\"xxx"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith(" more}"), e.getMessage());
        assertTrue(e.getMessage().length() < 400, e.getMessage());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------- malformed input

    static Stream<Arguments> malformed() {
        return Stream.of(
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE a counter\n# TYPE a gauge\n", 2, "second TYPE line for metric name \"a\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# HELP a x\na 1\n# HELP a y\n", 3, "second HELP line for metric name \"a\""),
                bad(PROMETHEUS_TEXT_0_0_4, "a 1\n# TYPE a gauge\n", 2, "TYPE line for metric name \"a\" after its samples"),
                bad(PROMETHEUS_TEXT_0_0_4, "\n\na 1\n{foo} 1", 4, "expected metric name or '#', found '{'"),
                bad(PROMETHEUS_TEXT_0_0_4, "a 1\n\n\nm{foo} 1\n", 4, "expected '=' after label name \"foo\", found '}'"),
                bad(PROMETHEUS_TEXT_0_0_4, "m{foo=bar} 1\n", 1, "expected '\"' to open the value of label \"foo\", found 'b'"),
                bad(PROMETHEUS_TEXT_0_0_4, "m{foo=\"bar} 1\n", 1, "expected '\"' to close the value of label \"foo\", found end of line"),
                bad(PROMETHEUS_TEXT_0_0_4, "m{foo=\"bar\\\"} 1\n", 1, "expected '\"' to close the value of label \"foo\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m{foo=\"b\\x\"} 1\n", 1, "invalid escape sequence '\\x' in the value of label \"foo\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m 1\n# HELP m a\\tb\n", 2, "invalid escape sequence '\\t' in HELP text"),
                bad(PROMETHEUS_TEXT_0_0_4, "# HELP m a \\\"b\\\"\n", 1, "invalid escape sequence '\\\"' in HELP text"),
                bad(PROMETHEUS_TEXT_0_0_4, "# HELP m trailing \\\n", 1, "found end of line"),
                bad(PROMETHEUS_TEXT_0_0_4, "m{a=\"\u00ff\"} 1\n", 1, "invalid UTF-8 in the value of label \"a\""),
                bad(PROMETHEUS_TEXT_0_0_4, "{\"a.b\"} 1\na.b 2\n", 2, "expected '{' or a space after metric name \"a\", found '.'"),
                bad(PROMETHEUS_TEXT_0_0_4, "a 1\na.b 2\n", 2, "expected '{' or a space after metric name \"a\", found '.'"),
                bad(PROMETHEUS_TEXT_0_0_4, "m 1\nm{a=\"abcdefgh\u00ffijklmnop\"} 1\n", 2, "invalid UTF-8 in the value of label \"a\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m{a=\"abcdefghijklmnop\\q\"} 1\n", 1, "invalid escape sequence '\\q' in the value of label \"a\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m{a=\"abcdefghijklmnopqrstuvw} 1\n", 1, "expected '\"' to close the value of label \"a\", found end of line"),
                bad(PROMETHEUS_TEXT_0_0_4, "m 1.0d\n", 1, "expected a number as sample value, found \"1.0d\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m 0x1p3\n", 1, "expected a number as sample value, found \"0x1p3\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m 1_000\n", 1, "expected a number as sample value, found \"1_000\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m +NaN\n", 1, "expected a number as sample value, found \"+NaN\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m 1e\n", 1, "expected a number as sample value, found \"1e\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m .\n", 1, "expected a number as sample value, found \".\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m infinit\n", 1, "expected a number as sample value, found \"infinit\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m 1e400\n", 1, "sample value out of range, found \"1e400\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m\n", 1, "expected sample value after \"m\", found end of line"),
                bad(PROMETHEUS_TEXT_0_0_4, "m{a=\"b\"}\n", 1, "expected sample value after \"m\", found end of line"),
                bad(PROMETHEUS_TEXT_0_0_4, "m 1 2 3\n", 1, "expected end of line after timestamp, found '3'"),
                bad(PROMETHEUS_TEXT_0_0_4, "m 1 1.5\n", 1, "expected an integer timestamp, found \"1.5\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m 1 99999999999999999999\n", 1, "timestamp out of range"),
                bad(PROMETHEUS_TEXT_0_0_4, "m 1 # {a=\"b\"} 1\n", 1, "expected an integer timestamp, found \"#\""),
                bad(PROMETHEUS_TEXT_0_0_4, "m-x 1\n", 1, "expected '{' or a space after metric name \"m\", found '-'"),
                bad(PROMETHEUS_TEXT_0_0_4, "m{1x=\"y\"} 1\n", 1, "expected label name or '}', found '1'"),
                bad(PROMETHEUS_TEXT_0_0_4, "m{a=\"1\",,} 1\n", 1, "expected label name or '}', found ','"),
                bad(PROMETHEUS_TEXT_0_0_4, "m{x=\"y\" z=\"w\"} 1\n", 1, "expected ',' or '}' after the value of label \"x\", found 'z'"),
                bad(PROMETHEUS_TEXT_0_0_4, "m{x=\"y\"\n", 1, "expected ',' or '}' after the value of label \"x\", found end of line"),
                bad(PROMETHEUS_TEXT_0_0_4, "m{x=\"1\",x=\"2\"} 1\n", 1, "label name x appears twice"),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE m foo\n", 1, "unknown metric type \"foo\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE m gaugehistogram\n", 1, "unknown metric type \"gaugehistogram\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE 1m counter\n", 1, "expected metric name after # TYPE, found '1'"),
                bad(PROMETHEUS_TEXT_0_0_4, "# HELP m-x help\n", 1, "expected metric name after # HELP, found \"m-x\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE h histogram\nh_bucket{a=\"1\"} 1\n", 2, "expected label \"le\" on histogram bucket sample \"h_bucket\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE h histogram\nh_bucket{le=\"abc\"} 1\n", 2, "expected a number as value of label \"le\", found \"abc\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE h histogram\nh_bucket{le=\"NaN\"} 1\n", 2, "expected a number other than NaN"),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE h histogram\nh_bucket{le=\"1\",le=\"2\"} 1\n", 2, "label name le appears twice"),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\n", 3, "duplicate bucket le=\"1\" for histogram \"h\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"0.5\"} 1\n"
                        + "h_bucket{le=\"+Inf\"} 1\nh_bucket{le=\"0.5\"} 1\n", 5, "duplicate bucket le=\"0.5\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE h histogram\nh_count{a=\"1\"} 1\nh_sum{a=\"1\"} 1\nh_count{a=\"1\"} 1\n", 4,
                        "duplicate sample \"h_count\" for histogram \"h\" series {a=\"1\"}"),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE h histogram\nh_sum{le=\"1\"} 1\n", 2, "unexpected label \"le\" on sample \"h_sum\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE h histogram\nh 1\n", 2, "expected sample name \"h_bucket\", \"h_count\" or \"h_sum\" for histogram \"h\", found \"h\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE s summary\ns{a=\"1\"} 1\n", 2, "expected label \"quantile\" on summary sample \"s\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE s summary\ns{quantile=\"x\"} 1\n", 2, "expected a number as value of label \"quantile\", found \"x\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE s summary\ns_sum 1\ns_count 1\ns_sum 2\n", 4, "duplicate sample \"s_sum\" for summary \"s\""),
                bad(PROMETHEUS_TEXT_0_0_4, "# TYPE s summary\ns_count{quantile=\"0.5\"} 1\n", 2, "unexpected label \"quantile\""),
                bad(PROMETHEUS_TEXT_0_0_4, "a 1\r\nb 2\r\nc{ 3\r\n", 3, "expected label name or '}', found '3'"),
                bad(OPENMETRICS_1_0_0, "a 1\n", 2, "missing # EOF"),
                bad(OPENMETRICS_1_0_0, "", 1, "missing # EOF"),
                bad(OPENMETRICS_1_0_0, "a 1\n# EOF\na 2\n", 3, "expected end of body after # EOF, found \"a 2\""),
                bad(OPENMETRICS_1_0_0, "a 1\n# EOF\n\n", 3, "expected end of body after # EOF, found an empty line"),
                bad(OPENMETRICS_1_0_0, "# EOF x\n", 1, "expected end of line after # EOF, found 'x'"),
                bad(OPENMETRICS_1_0_0, "# TYPE c counter\nc 1\n# EOF\n", 2, "expected sample name \"c_total\" or \"c_created\" for counter \"c\", found \"c\""),
                bad(OPENMETRICS_1_0_0, "# TYPE i info\ni 1\n# EOF\n", 2, "expected sample name \"i_info\" for info \"i\""),
                bad(OPENMETRICS_1_0_0, "# a comment\n# EOF\n", 1, "expected HELP, TYPE, UNIT or EOF after '#', found \"a\""),
                bad(OPENMETRICS_1_0_0, "# TYPE c counter\nc_total 1 # {a=\"b\"}\n# EOF\n", 2, "expected exemplar value, found end of line"),
                bad(OPENMETRICS_1_0_0, "# TYPE c counter\nc_total 1 # a\n# EOF\n", 2, "expected '{' to open the exemplar's labels, found 'a'"),
                bad(OPENMETRICS_1_0_0, "# TYPE c counter\nc_total 1 # {a=\"b\"} 1 2 3\n# EOF\n", 2, "expected end of line after exemplar timestamp, found '3'"),
                bad(OPENMETRICS_1_0_0, "m 1 NaN\n# EOF\n", 1, "expected a finite number as timestamp, found \"NaN\""),
                bad(OPENMETRICS_1_0_0, "# TYPE m stuff\n# EOF\n", 1, "unknown metric type \"stuff\""),
                bad(OPENMETRICS_1_0_0, "# TYPE g gaugehistogram\ng_bucket{le=\"1\"} 1\ng_gcount 1\ng_gcount 1\n# EOF\n", 4, "duplicate sample \"g_gcount\""),
                bad(OPENMETRICS_1_0_0, "# TYPE c counter\nc_total 1\n# TYPE c_total gauge\nc_total 2\n# EOF\n", 3, "family \"c_total\" appears twice"));
    }

    private static Arguments bad(Dialect dialect, String input, int line, String phrase) {
        return Arguments.of(dialect, input, line, phrase);
    }

    @ParameterizedTest(name = "{0} line {2}: {3}")
    @MethodSource("malformed")
    void rejectsMalformedInput(Dialect dialect, String input, int line, String phrase) {
        byte[] bytes = input.indexOf('\u00ff') >= 0
                ? input.getBytes(StandardCharsets.ISO_8859_1) // raw invalid UTF-8 byte
                : input.getBytes(StandardCharsets.UTF_8);
        TextFormatParser parser = dialect == PROMETHEUS_TEXT_0_0_4 ? PROMETHEUS : OPENMETRICS;
        try {
            List<MetricFamily> parsed = parser.parse(bytes, 0, bytes.length);
            fail("expected an error containing [" + phrase + "], parsed:\n" + ModelText.render(parsed));
        } catch (PushRejectedException e) {
            assertEquals(RejectionReason.MALFORMED, e.reason());
            String prefix = "line " + line + ": ";
            assertTrue(e.getMessage().startsWith(prefix), () -> "expected prefix [" + prefix + "] in: " + e.getMessage());
            assertTrue(e.getMessage().contains(phrase), () -> "expected [" + phrase + "] in: " + e.getMessage());
        }
    }

    /** A body pushed to a group is refused with the very message it gets without one: series are named as pushed. */
    @ParameterizedTest(name = "{0} line {2}: {3}")
    @MethodSource("malformed")
    void rejectsMalformedInputAlikeWithGroupingLabels(Dialect dialect, String input, int line, String phrase) {
        byte[] bytes = input.indexOf('\u00ff') >= 0
                ? input.getBytes(StandardCharsets.ISO_8859_1)
                : input.getBytes(StandardCharsets.UTF_8);
        TextFormatParser parser = dialect == PROMETHEUS_TEXT_0_0_4 ? PROMETHEUS : OPENMETRICS;
        PushRejectedException without = assertThrows(PushRejectedException.class, () -> parser.parse(bytes, 0, bytes.length));
        PushRejectedException with = assertThrows(PushRejectedException.class,
                () -> parser.parse(bytes, 0, bytes.length, Labels.of("job", "j", "a", "g")));
        assertEquals(without.reason(), with.reason());
        assertEquals(without.getMessage(), with.getMessage());
    }

    /** A duplicate sample's message names its series as pushed, not with the grouping labels. */
    @Test
    void aDuplicateSampleIsNamedAsPushed() {
        byte[] body = bytes("# TYPE h histogram\nh_count{a=\"1\"} 1\nh_count{a=\"1\"} 2\n");
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> PROMETHEUS.parse(body, 0, body.length, Labels.of("job", "j")));
        assertEquals("line 3: duplicate sample \"h_count\" for histogram \"h\" series {a=\"1\"}", e.getMessage());
    }

    @Test
    void groupingLabelsAreAddedToEachSeriesAsItIsBuilt() throws PushRejectedException {
        byte[] body = bytes("# TYPE h histogram\nh_bucket{a=\"1\",le=\"+Inf\"} 2\nh_count{a=\"1\"} 2\nh_sum{a=\"1\"} 3\n"
                + "m{z=\"9\",a=\"\"} 1\nm 2\n");
        List<MetricFamily> parsed = PROMETHEUS.parse(body, 0, body.length, Labels.of("job", "j", "instance", "i"));
        assertEquals("""
                h histogram ""
                  {a="1",instance="i",job="j"} histogram [+Inf:2.0] count=2.0 sum=3.0
                m untyped ""
                  {instance="i",job="j",z="9"} 1.0
                  {instance="i",job="j"} 2.0
                """, ModelText.render(parsed));
    }

    /**
     * A sample that carries a grouping label's name is left for the engine, which lets the grouping
     * label win: the body is read as pushed. Here the two histogram series become one only then, which
     * the engine refuses as a duplicate series, not the parser as a duplicate bucket.
     */
    @Test
    void aSampleWithAGroupingLabelsNameIsReadAsPushed() throws PushRejectedException {
        byte[] body = bytes("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n"
                + "h_bucket{job=\"j\",le=\"+Inf\"} 1\nh_count{job=\"j\"} 1\n");
        List<MetricFamily> parsed = PROMETHEUS.parse(body, 0, body.length, Labels.of("job", "j"));
        assertEquals(ModelText.render(PROMETHEUS.parse(body, 0, body.length)), ModelText.render(parsed));
        assertEquals(2, parsed.getFirst().series().size());
    }

    /**
     * Renders parsed families as a canonical, readable text so that tests can compare whole
     * results (records holding {@code double[]} do not compare by content) and show a useful diff.
     *
     * <pre>
     * name type "help"
     *   {labels} value
     *   {labels} histogram [bound:count, ...] count=X sum=Y
     *   {labels} summary count=X sum=Y
     * </pre>
     * Values print as {@link Double#toString} except {@code +Inf}, {@code -Inf}; absent ones as {@code -}.
     */
    static final class ModelText {
        private ModelText() {
        }

        static String render(List<MetricFamily> families) {
            StringBuilder out = new StringBuilder();
            for (MetricFamily family : families) {
                out.append(family.name()).append(' ').append(family.type().textName()).append(" \"")
                        .append(escape(family.help())).append("\"\n");
                for (Series series : family.series()) {
                    out.append("  ").append(series.labels());
                    switch (series) {
                        case ScalarSample s -> out.append(' ').append(value(s.value()));
                        case ClassicHistogram h -> {
                            out.append(" histogram [");
                            for (int i = 0; i < h.upperBounds().length; i++) {
                                out.append(i == 0 ? "" : ", ").append(value(h.upperBounds()[i])).append(':')
                                        .append(value(h.cumulativeCounts()[i]));
                            }
                            out.append("] count=").append(value(h.count())).append(" sum=").append(value(h.sum()));
                        }
                        case SummarySample s -> out.append(" summary count=").append(value(s.count()))
                                .append(" sum=").append(value(s.sum()));
                        case NativeHistogram h -> throw new AssertionError("the text formats have no native histograms");
                    }
                    out.append('\n');
                }
            }
            return out.toString();
        }

        static String value(Double v) {
            if (v == null) {
                return "-";
            }
            if (v == Double.POSITIVE_INFINITY) {
                return "+Inf";
            }
            if (v == Double.NEGATIVE_INFINITY) {
                return "-Inf";
            }
            return Double.toString(v);
        }

        static String escape(String s) {
            return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"");
        }
    }
}
