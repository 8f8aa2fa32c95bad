package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.ingest.GroupingPath;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Cumulative pushes from sources (label {@code instance}), step by step → the exact exposition.
 * Counters and classic histograms: first sight, growth, retry, restart, expiry, PUT, DELETE; gauges
 * in every mode, from sources and from delta pushes. Native histograms: {@link NativeSourceTest}.
 */
class SourceGoldenTest {

    /** One thing that happens to the engine. */
    interface Step {
        void run(SourceHarness h) throws Exception;
    }

    static Step post(String source, String body) {
        return h -> h.post(source, body);
    }

    static Step put(String source, String body) {
        return h -> h.put(source, body);
    }

    static Step delta(String body) {
        return h -> h.delta(body);
    }

    static Step minutes(int minutes) {
        return h -> h.advance(Duration.ofMinutes(minutes));
    }

    static Step deleteSource(String source) {
        return h -> h.deleteSource(source);
    }

    /** {@code DELETE /metrics/job/api}: the output series, not a source. */
    static Step deleteSeries() {
        return h -> h.aggregator.delete(GroupingPath.parse("/job/api", true));
    }

    static Step reset() {
        return h -> h.aggregator.reset();
    }

    static String counter(double value) {
        return "# TYPE c_total counter\nc_total " + value + "\n";
    }

    static String counterOut(String value) {
        return "# TYPE c_total counter\nc_total{job=\"api\"} " + value + "\n";
    }

    static Stream<Arguments> counters() {
        return Stream.of(
                arguments("first sight adds the whole total", List.of(post("a", counter(5))), counterOut("5")),
                arguments("two sources add up into one series without the source label",
                        List.of(post("a", counter(5)), post("b", counter(3))), counterOut("8")),
                arguments("growth adds the difference", List.of(post("a", counter(5)), post("a", counter(7))), counterOut("7")),
                arguments("a retry adds nothing", List.of(post("a", counter(5)), post("a", counter(7)), post("a", counter(7))),
                        counterOut("7")),
                arguments("PUT retried adds nothing", List.of(put("a", counter(5)), put("a", counter(7)), put("a", counter(7))),
                        counterOut("7")),
                arguments("a lower total is a restart: it adds the whole new total",
                        List.of(post("a", counter(5)), post("a", counter(7)), post("a", counter(2))), counterOut("9")),
                arguments("growth of two sources", List.of(post("a", counter(5)), post("b", counter(3)), post("a", counter(7)),
                        post("b", counter(4))), counterOut("11")),
                arguments("an expired source keeps what it added and counts afresh when it comes back",
                        List.of(post("a", counter(5)), post("b", counter(1)), minutes(9), post("b", counter(2)), minutes(2),
                                post("a", counter(6))), counterOut("13")),
                arguments("a source within its TTL keeps its baseline",
                        List.of(post("a", counter(5)), minutes(9), post("a", counter(6))), counterOut("6")),
                arguments("PUT forgets the source's states of series it lacks; the sums stay", List.of(
                        put("a", "# TYPE c_total counter\nc_total{x=\"1\"} 5\nc_total{x=\"2\"} 3\n"),
                        put("a", "# TYPE c_total counter\nc_total{x=\"1\"} 6\n"),
                        put("a", "# TYPE c_total counter\nc_total{x=\"1\"} 6\nc_total{x=\"2\"} 4\n")), """
                        # TYPE c_total counter
                        c_total{job="api",x="1"} 6
                        c_total{job="api",x="2"} 7
                        """),
                arguments("POST keeps the states of series it lacks", List.of(
                        post("a", "# TYPE c_total counter\nc_total{x=\"1\"} 5\nc_total{x=\"2\"} 3\n"),
                        post("a", "# TYPE c_total counter\nc_total{x=\"1\"} 6\n"),
                        post("a", "# TYPE c_total counter\nc_total{x=\"1\"} 6\nc_total{x=\"2\"} 4\n")), """
                        # TYPE c_total counter
                        c_total{job="api",x="1"} 6
                        c_total{job="api",x="2"} 4
                        """),
                arguments("DELETE of the source keeps its sums and forgets its baseline",
                        List.of(post("a", counter(5)), deleteSource("a"), post("a", counter(7))), counterOut("12")),
                arguments("DELETE of the output series keeps the baselines: the next push adds only the growth",
                        List.of(post("a", counter(5)), deleteSeries(), post("a", counter(7))), counterOut("2")),
                arguments("a reset keeps the baselines too", List.of(post("a", counter(5)), reset(), post("a", counter(7))),
                        counterOut("2")),
                arguments("delta pushes add to the same series",
                        List.of(delta(counter(10)), post("a", counter(5)), post("a", counter(7)), delta(counter(1))),
                        counterOut("18")),
                arguments("a source label in the body is removed too", List.of(
                        post("a", "# TYPE c_total counter\nc_total{instance=\"x\",k=\"v\"} 5\n"),
                        post("b", "# TYPE c_total counter\nc_total{k=\"v\"} 2\n")),
                        "# TYPE c_total counter\nc_total{job=\"api\",k=\"v\"} 7\n"),
                arguments("the same instance under another job is another source", List.of(
                        post("a", counter(5)), h -> h.aggregator.push(new io.aggregationgateway.server.model.Push(
                                GroupingPath.parse("/job/api/instance/a/zone/eu", false), List.of())),
                        post("a", counter(6))), counterOut("6")));
    }

    static String hist(double le1, double count, double sum) {
        return "# TYPE h histogram\nh_bucket{le=\"1\"} " + le1 + "\nh_bucket{le=\"+Inf\"} " + count
                + "\nh_sum " + sum + "\nh_count " + count + "\n";
    }

    static String histOut(String le1, String count, String sum) {
        return "# TYPE h histogram\nh_bucket{job=\"api\",le=\"1.0\"} " + le1 + "\nh_bucket{job=\"api\",le=\"+Inf\"} " + count
                + "\nh_sum{job=\"api\"} " + sum + "\nh_count{job=\"api\"} " + count + "\n";
    }

    static Stream<Arguments> histograms() {
        return Stream.of(
                arguments("first sight", List.of(post("a", hist(1, 3, 4.5))), histOut("1", "3", "4.5")),
                arguments("two sources", List.of(post("a", hist(1, 3, 4.5)), post("b", hist(2, 2, 1))), histOut("3", "5", "5.5")),
                arguments("growth adds per bucket, count and sum",
                        List.of(post("a", hist(1, 3, 4.5)), post("a", hist(4, 7, 6))), histOut("4", "7", "6")),
                arguments("a retry adds nothing",
                        List.of(post("a", hist(1, 3, 4.5)), post("a", hist(4, 7, 6)), post("a", hist(4, 7, 6))), histOut("4", "7", "6")),
                arguments("a sum that went down is no restart (observations may be negative)",
                        List.of(post("a", hist(1, 3, 4.5)), post("a", hist(2, 4, 3))), histOut("2", "4", "3")),
                arguments("a lower count is a restart",
                        List.of(post("a", hist(1, 3, 4.5)), post("a", hist(1, 2, 1))), histOut("2", "5", "5.5")),
                arguments("a bucket that lost observations is a restart, even with the count unchanged",
                        List.of(post("a", hist(2, 3, 4.5)), post("a", hist(1, 3, 4.5))), histOut("3", "6", "9")),
                arguments("changed bounds are a restart", List.of(post("a", hist(1, 3, 4.5)),
                        post("a", "# TYPE h histogram\nh_bucket{le=\"2\"} 2\nh_bucket{le=\"+Inf\"} 4\nh_sum 5\nh_count 4\n")), """
                        # TYPE h histogram
                        h_bucket{job="api",le="1.0"} 1
                        h_bucket{job="api",le="2.0"} 3
                        h_bucket{job="api",le="+Inf"} 7
                        h_sum{job="api"} 9.5
                        h_count{job="api"} 7
                        """),
                arguments("an expired source keeps what it added",
                        List.of(post("a", hist(1, 3, 4.5)), minutes(11), post("a", hist(1, 4, 5))), histOut("2", "7", "9.5")),
                arguments("PUT forgets the baseline of a series it lacks", List.of(
                        put("a", hist(1, 3, 4.5) + counter(1)), put("a", counter(2)), put("a", hist(1, 4, 5) + counter(2))),
                        counterOut("2") + histOut("2", "7", "9.5")),
                arguments("DELETE of the source keeps the sums",
                        List.of(post("a", hist(1, 3, 4.5)), deleteSource("a"), post("a", hist(1, 3, 4.5))), histOut("2", "6", "9")),
                arguments("DELETE of the output series keeps the baseline",
                        List.of(post("a", hist(1, 3, 4.5)), deleteSeries(), post("a", hist(2, 5, 5))), histOut("1", "2", "0.5")),
                arguments("a difference of sums past the largest double counts as a restart, never as infinity",
                        List.of(post("a", hist(1, 3, 1.5e308)), post("a", hist(1, 4, -1.5e308))), histOut("2", "7", "0")));
    }

    static String gauge(String family, double value) {
        return "# TYPE " + family + " gauge\n" + family + " " + value + "\n";
    }

    static String gaugeOut(String family, String value) {
        return "# TYPE " + family + " gauge\n" + family + "{job=\"api\"} " + value + "\n";
    }

    /** Per mode: sources a=5, b=3, then a=1, then a retries, then a expires, with delta pushes in some. */
    static Stream<Arguments> gauges() {
        return Stream.of(
                modeCase("g_sum", "8", "4", "3"),
                modeCase("g_max", "5", "3", "3"),
                modeCase("g_min", "3", "1", "3"),
                modeCase("g_last", "3", "1", "3"),
                modeCase("g_avg", "4", "2", "3"),
                putAndDeleteCase("g_sum", "7", "4"),
                putAndDeleteCase("g_max", "4", "4"),
                putAndDeleteCase("g_min", "3", "4"),
                putAndDeleteCase("g_last", "3", "4"),
                putAndDeleteCase("g_avg", "3.5", "4"),
                arguments("g_sum: a lower value is no restart, just the value",
                        List.of(post("a", gauge("g_sum", 5)), post("a", gauge("g_sum", 2))), gaugeOut("g_sum", "2")),
                arguments("g_last: a source's value comes after an older one of another",
                        List.of(post("a", gauge("g_last", 5)), post("b", gauge("g_last", 3)), post("a", gauge("g_last", 7)),
                                minutes(9), post("b", gauge("g_last", 4)), minutes(2)), gaugeOut("g_last", "4")),
                arguments("a series only forgotten sources held is gone; its family with it",
                        List.of(post("a", gauge("g_max", 5)), post("a", counter(1)), minutes(11)), counterOut("1")),
                arguments("DELETE of a source takes its gauge values out",
                        List.of(post("a", gauge("g_sum", 5)), post("b", gauge("g_sum", 3)), deleteSource("a")), gaugeOut("g_sum", "3")),
                arguments("DELETE of the only source removes the series",
                        List.of(post("a", gauge("g_avg", 5)), post("a", counter(1)), deleteSource("a")), counterOut("1")),
                arguments("PUT without the gauge takes the source's value out",
                        List.of(put("a", gauge("g_sum", 5) + counter(1)), put("b", gauge("g_sum", 3)), put("a", counter(1))),
                        counterOut("1") + gaugeOut("g_sum", "3")),
                arguments("PUT without a gauge series removes it when no one else holds it", List.of(
                        put("a", "# TYPE g_min gauge\ng_min{x=\"1\"} 5\ng_min{x=\"2\"} 3\n"),
                        put("a", "# TYPE g_min gauge\ng_min{x=\"1\"} 4\n")), "# TYPE g_min gauge\ng_min{job=\"api\",x=\"1\"} 4\n"),
                arguments("POST keeps the gauge series it lacks", List.of(
                        post("a", "# TYPE g_min gauge\ng_min{x=\"1\"} 5\ng_min{x=\"2\"} 3\n"),
                        post("a", "# TYPE g_min gauge\ng_min{x=\"1\"} 4\n")), """
                        # TYPE g_min gauge
                        g_min{job="api",x="1"} 4
                        g_min{job="api",x="2"} 3
                        """),
                arguments("a delta-pushed value stays when the sources go",
                        List.of(delta(gauge("g_max", 2)), post("a", gauge("g_max", 5)), deleteSource("a")), gaugeOut("g_max", "2")),
                arguments("untyped from sources: the sum of their last values",
                        List.of(post("a", "u 2\n"), post("b", "u 3\n"), post("a", "u 4\n")), "# TYPE u untyped\nu{job=\"api\"} 7\n"),
                arguments("a reset clears the gauges; the sources' next pushes bring them back",
                        List.of(post("a", gauge("g_sum", 5)), post("b", gauge("g_sum", 3)), reset(), post("b", gauge("g_sum", 2))),
                        gaugeOut("g_sum", "2")));
    }

    /** Sources a=5 and b=3; then a=1 pushed twice (a retry); then a expires (b stays live). */
    private static Arguments modeCase(String family, String bothFirst, String afterLower, String afterExpiry) {
        return arguments(family + ": over the live sources' last values; retry; expiry", List.of(
                post("a", gauge(family, 5)), post("b", gauge(family, 3)),
                h -> assertEquals(gaugeOut(family, bothFirst), h.exposition(), "a=5, b=3"),
                post("a", gauge(family, 1)), post("a", gauge(family, 1)),
                h -> assertEquals(gaugeOut(family, afterLower), h.exposition(), "a=1 (twice), b=3"),
                minutes(9), post("b", gauge(family, 3)), minutes(2)), gaugeOut(family, afterExpiry));
    }

    /**
     * Sources a=5, c=4, b=3 (pushed in that order, each by PUT, with a counter); a PUTs without the
     * gauge, then b is deleted: the mode over the sources still holding a value.
     */
    private static Arguments putAndDeleteCase(String family, String afterPut, String afterDelete) {
        return arguments(family + ": PUT without the gauge and DELETE take a source's value out", List.of(
                put("a", gauge(family, 5) + counter(1)), put("c", gauge(family, 4)), put("b", gauge(family, 3)),
                put("a", counter(1)),
                h -> assertEquals(counterOut("1") + gaugeOut(family, afterPut), h.exposition(), "b=3, c=4"),
                deleteSource("b")), counterOut("1") + gaugeOut(family, afterDelete));
    }

    /** Delta pushes only: how each mode combines pushed values. */
    static Stream<Arguments> deltaModes() {
        return Stream.of(
                deltaCase("g_sum", "9"), deltaCase("g_max", "5"), deltaCase("g_min", "1"), deltaCase("g_last", "3"),
                deltaCase("g_avg", "3"),
                arguments("avg averages the values pushed since the last reset",
                        List.of(delta(gauge("g_avg", 10)), reset(), delta(gauge("g_avg", 2)), delta(gauge("g_avg", 4))),
                        gaugeOut("g_avg", "3")),
                arguments("avg over delta pushes and sources: every pushed value and every source's last one",
                        List.of(delta(gauge("g_avg", 1)), delta(gauge("g_avg", 2)), post("a", gauge("g_avg", 6)),
                                post("a", gauge("g_avg", 9))), gaugeOut("g_avg", "4")),
                arguments("last: a source's push after a delta push wins, and the delta value when the source goes",
                        List.of(delta(gauge("g_last", 1)), post("a", gauge("g_last", 6)),
                                h -> assertEquals(gaugeOut("g_last", "6"), h.exposition()), deleteSource("a")),
                        gaugeOut("g_last", "1")),
                arguments("modes match the whole family name only",
                        List.of(delta(gauge("g_max_x", 5)), delta(gauge("g_max_x", 1))), gaugeOut("g_max_x", "6")),
                arguments("counters always add up, whatever the rules say",
                        List.of(delta("# TYPE g_max counter\ng_max 5\n"), delta("# TYPE g_max counter\ng_max 1\n")),
                        "# TYPE g_max counter\ng_max{job=\"api\"} 6\n"));
    }

    private static Arguments deltaCase(String family, String expected) {
        return arguments(family + " from delta pushes 5, 1, 3", List.of(
                delta(gauge(family, 5)), delta(gauge(family, 1)), delta(gauge(family, 3))), gaugeOut(family, expected));
    }

    @ParameterizedTest(name = "counter: {0}")
    @MethodSource("counters")
    void counters(String name, List<Step> steps, String expected) throws Exception {
        assertEquals(expected, run(steps));
    }

    @ParameterizedTest(name = "histogram: {0}")
    @MethodSource("histograms")
    void histograms(String name, List<Step> steps, String expected) throws Exception {
        assertEquals(expected, run(steps));
    }

    @ParameterizedTest(name = "gauge: {0}")
    @MethodSource("gauges")
    void gauges(String name, List<Step> steps, String expected) throws Exception {
        assertEquals(expected, run(steps));
    }

    @ParameterizedTest(name = "delta gauge: {0}")
    @MethodSource("deltaModes")
    void deltaModes(String name, List<Step> steps, String expected) throws Exception {
        assertEquals(expected, run(steps));
    }

    private static String run(List<Step> steps) throws Exception {
        SourceHarness harness = new SourceHarness();
        for (Step step : steps) {
            step.run(harness);
        }
        return harness.exposition();
    }
}
