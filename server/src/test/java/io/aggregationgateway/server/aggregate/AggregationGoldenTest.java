package io.aggregationgateway.server.aggregate;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Push A, push B (each with its grouping path) → the exact exposition expected. */
class AggregationGoldenTest {

    /** One push: the path after /metrics and the text body. */
    record P(String path, String body) {
    }

    static P push(String body) {
        return new P("", body);
    }

    static P push(String path, String body) {
        return new P(path, body);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("counter sum across label orders", List.of(
                        push("""
                                # HELP requests_total Requests served.
                                # TYPE requests_total counter
                                requests_total{code="200",method="get"} 3
                                requests_total{code="500",method="get"} 1
                                """),
                        push("""
                                # TYPE requests_total counter
                                requests_total{method="get",code="200"} 4.5
                                """)), """
                        # HELP requests_total Requests served.
                        # TYPE requests_total counter
                        requests_total{code="200",method="get"} 7.5
                        requests_total{code="500",method="get"} 1
                        """),
                arguments("gauge sum", List.of(
                        push("# TYPE temperature gauge\ntemperature{room=\"a\"} 20.5\n"),
                        push("# TYPE temperature gauge\ntemperature{room=\"a\"} -1\ntemperature{room=\"b\"} 3\n")), """
                        # TYPE temperature gauge
                        temperature{room="a"} 19.5
                        temperature{room="b"} 3
                        """),
                arguments("untyped adds up", List.of(push("jobs 2\n"), push("jobs 3\n")), """
                        # TYPE jobs untyped
                        jobs 5
                        """),
                arguments("histogram with the same bounds", List.of(
                        push(histogram("latency", "0.1", 1, "1", 3, "+Inf", 4, 2.5)),
                        push(histogram("latency", "0.1", 2, "1", 2, "+Inf", 5, 7))), """
                        # TYPE latency histogram
                        latency_bucket{le="0.1"} 3
                        latency_bucket{le="1.0"} 5
                        latency_bucket{le="+Inf"} 9
                        latency_sum 9.5
                        latency_count 9
                        """),
                // The bucket rule (README, "How pushes add up"): at each bound every side adds its
                // cumulative count at its own largest bound <= that bound. At le=0.2 that is A's 1
                // (at 0.1) + B's 10 (at 0.2) = 11.
                arguments("histogram with mismatched bounds: union of bounds", List.of(
                        push(histogram("h", "0.1", 1, "0.5", 2, "1", 3, "+Inf", 4, 1)),
                        push(histogram("h", "0.2", 10, "0.5", 20, "2", 30, "+Inf", 40, 2))), """
                        # TYPE h histogram
                        h_bucket{le="0.1"} 1
                        h_bucket{le="0.2"} 11
                        h_bucket{le="0.5"} 22
                        h_bucket{le="1.0"} 23
                        h_bucket{le="2.0"} 33
                        h_bucket{le="+Inf"} 44
                        h_sum 3
                        h_count 44
                        """),
                arguments("le is a number: 1, 1.0, 1e0 and +1 are one bound; +inf is +Inf", List.of(
                        push(histogram("h", "1", 1, "+Inf", 2, 1)),
                        push(histogram("h", "1.0", 1, "+Inf", 2, 1)),
                        push("# TYPE h histogram\nh_bucket{le=\"1e0\"} 1\nh_bucket{le=\"+inf\"} 2\nh_sum 1\n"),
                        push(histogram("h", "+1", 1, "+Inf", 2, 1))), """
                        # TYPE h histogram
                        h_bucket{le="1.0"} 4
                        h_bucket{le="+Inf"} 8
                        h_sum 4
                        h_count 8
                        """),
                arguments("histogram without +Inf bucket takes it from _count", List.of(
                        push("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_count 3\nh_sum 4\n")), """
                        # TYPE h histogram
                        h_bucket{le="1.0"} 2
                        h_bucket{le="+Inf"} 3
                        h_sum 4
                        h_count 3
                        """),
                arguments("summaries are discarded, leaving no empty family", List.of(
                        push(summary()), push(summary() + "# TYPE up gauge\nup 1\n")), """
                        # TYPE up gauge
                        up 1
                        """),
                arguments("_created series are dropped, never summed", List.of(
                        push("""
                                # TYPE c_total counter
                                c_total 1
                                # TYPE c_created gauge
                                c_created 1.7e9
                                # TYPE h histogram
                                h_bucket{le="+Inf"} 1
                                h_count 1
                                h_sum 1
                                h_created 1.7e9
                                """),
                        push("# TYPE c_total counter\nc_total 2\nc_created 1.7e9\n")), """
                        # TYPE c_total counter
                        c_total 3
                        # TYPE h histogram
                        h_bucket{le="+Inf"} 1
                        h_sum 1
                        h_count 1
                        """),
                arguments("grouping labels are added and override body labels", List.of(
                        push("/job/batch/instance/a", "# TYPE x_total counter\nx_total{job=\"ignored\"} 1\n"),
                        push("/job/batch/instance/b", "# TYPE x_total counter\nx_total 2\n"),
                        push("/job@base64/YmF0Y2g/instance/a", "# TYPE x_total counter\nx_total 3\n")), """
                        # TYPE x_total counter
                        x_total{instance="a",job="batch"} 4
                        x_total{instance="b",job="batch"} 2
                        """),
                arguments("first non-empty help wins; families and series sorted", List.of(
                        push("# TYPE b gauge\nb{x=\"2\"} 1\nb{x=\"10\"} 1\na 1\n"),
                        push("# HELP b First help.\n# TYPE b gauge\nb{x=\"1\"} 1\n"),
                        push("# HELP b Second help.\n# TYPE b gauge\nb{x=\"1\"} 1\n")), """
                        # TYPE a untyped
                        a 1
                        # HELP b First help.
                        # TYPE b gauge
                        b{x="1"} 2
                        b{x="10"} 1
                        b{x="2"} 1
                        """),
                arguments("escapes survive the round trip", List.of(
                        push("# HELP e Say \\\\ and \\n.\n# TYPE e gauge\ne{v=\"q\\\"b\\\\n\\n\"} 1\n")), """
                        # HELP e Say \\\\ and \\n.
                        # TYPE e gauge
                        e{v="q\\"b\\\\n\\n"} 1
                        """),
                arguments("empty label values are no labels", List.of(
                        push("g{a=\"\"} 1\n"), push("g 2\n")), """
                        # TYPE g untyped
                        g 3
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pushesAddUpToTheExpectedExposition(String name, List<P> pushes, String expected) throws Exception {
        EngineHarness engine = new EngineHarness();
        for (P p : pushes) {
            engine.push(p.path(), p.body());
        }
        assertEquals(expected, engine.exposition());
    }

    /** A text-format histogram: pairs of (le, cumulative count), then the sum; _count is the +Inf count. */
    static String histogram(String name, Object... bucketsThenSum) {
        StringBuilder out = new StringBuilder("# TYPE " + name + " histogram\n");
        int pairs = (bucketsThenSum.length - 1) / 2;
        Object infCount = null;
        for (int i = 0; i < pairs; i++) {
            out.append(name).append("_bucket{le=\"").append(bucketsThenSum[2 * i]).append("\"} ")
                    .append(bucketsThenSum[2 * i + 1]).append('\n');
            if ("+Inf".equals(bucketsThenSum[2 * i])) {
                infCount = bucketsThenSum[2 * i + 1];
            }
        }
        out.append(name).append("_sum ").append(bucketsThenSum[bucketsThenSum.length - 1]).append('\n');
        out.append(name).append("_count ").append(infCount).append('\n');
        return out.toString();
    }

    static String summary() {
        return """
                # TYPE rpc_seconds summary
                rpc_seconds{quantile="0.5"} 0.2
                rpc_seconds{quantile="0.9"} 0.7
                rpc_seconds_sum 12
                rpc_seconds_count 30
                """;
    }
}
