package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * A refused cumulative push changes no aggregate and no baseline: after it, the source's next push
 * adds exactly what it would have added had the refused push never come. Each bad push carries a
 * valid counter value first ({@code c_total 100}), which must not land, neither in the sum nor as
 * the source's baseline.
 */
class SourceRejectionTest {
    private static final String STORED = """
            # TYPE c_total counter
            c_total 5
            # TYPE temperature gauge
            temperature 20
            # TYPE latency histogram
            latency_bucket{le="1"} 1
            latency_bucket{le="+Inf"} 2
            latency_sum 3
            latency_count 2
            # TYPE big_total counter
            big_total 1.7e308
            """;
    private static final String VALID_PREFIX = "# TYPE c_total counter\nc_total 100\n";

    static Stream<Arguments> badPushes() {
        return Stream.of(
                arguments(RejectionReason.MALFORMED, "line 3", "bad syntax\n"),
                arguments(RejectionReason.TYPE_CONFLICT, "family temperature: pushed as counter but the gateway holds it as gauge",
                        "# TYPE temperature counter\ntemperature 21\n"),
                arguments(RejectionReason.INVALID_VALUE, "counter value -1.0 is negative", "# TYPE d_total counter\nd_total -1\n"),
                arguments(RejectionReason.INVALID_VALUE, "value NaN cannot be added up", "temperature NaN\n"),
                arguments(RejectionReason.INVALID_HISTOGRAM, "buckets are not cumulative",
                        "# TYPE latency histogram\nlatency_bucket{le=\"1\"} 5\nlatency_bucket{le=\"+Inf\"} 3\nlatency_count 3\n"),
                arguments(RejectionReason.DUPLICATE_SERIES, "the same series appears twice",
                        "# TYPE e_total counter\ne_total{instance=\"x\"} 1\ne_total 2\n"),
                arguments(RejectionReason.NAME_COLLISION, "family c (gauge) collides with counter c_total",
                        "# TYPE c gauge\nc 1\n"),
                // a lower total is a restart, which adds the whole new total: past the largest double
                arguments(RejectionReason.INVALID_VALUE, "would overflow to Infinity", "# TYPE big_total counter\nbig_total 1e308\n"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badPushes")
    void refusedCumulativePushChangesNeitherSumsNorBaselines(RejectionReason reason, String messagePart, String badBody)
            throws Exception {
        SourceHarness engine = new SourceHarness();
        engine.post("a", STORED);
        String before = engine.exposition();
        long states = engine.aggregator.sourceStates();

        PushRejectedException e = assertThrows(PushRejectedException.class, () -> engine.post("a", VALID_PREFIX + badBody));

        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), () -> "message was: " + e.getMessage());
        assertEquals(before, engine.exposition());
        assertEquals(states, engine.aggregator.sourceStates());
        // the baseline is still 5: growing to 6 adds 1 (had it become 100, 6 would be a restart adding 6)
        engine.post("a", "# TYPE c_total counter\nc_total 6\n");
        assertTrue(engine.exposition().contains("c_total{job=\"api\"} 6\n"), engine.exposition());
    }

    @Test
    void theStateLimitRefusesNewStatesWithTheirWholePushAndLetsKnownOnesGrow() throws Exception {
        SourceHarness engine = new SourceHarness(Long.MAX_VALUE, 3);
        engine.post("a", "# TYPE c_total counter\nc_total{x=\"1\"} 1\nc_total{x=\"2\"} 1\n");
        String before = engine.exposition();

        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> engine.post("b", "# TYPE c_total counter\nc_total{x=\"1\"} 5\nc_total{x=\"2\"} 5\n"));
        assertEquals(RejectionReason.LIMIT_EXCEEDED, e.reason());
        assertEquals("push refused: its 2 new (series, source) states would exceed the limit of 3 (--max-source-series);"
                + " the gateway holds 2. Series this source pushed before can still be pushed.", e.getMessage());
        assertEquals(before, engine.exposition());
        assertEquals(1, engine.aggregator.liveSources());
        assertEquals(1, engine.aggregator.sourcesHeld(), "the refused source left no trace");

        engine.post("a", "# TYPE c_total counter\nc_total{x=\"1\"} 4\nc_total{x=\"2\"} 2\n");
        engine.post("b", "# TYPE c_total counter\nc_total{x=\"1\"} 5\n");
        assertEquals(3, engine.aggregator.sourceStates());
        assertEquals("""
                # TYPE c_total counter
                c_total{job="api",x="1"} 9
                c_total{job="api",x="2"} 2
                """, engine.exposition());
    }

    @Test
    void aPushTheStoreRefusesGivesBackTheStatesItReserved() throws Exception {
        SourceHarness engine = new SourceHarness(2, Long.MAX_VALUE);
        engine.post("a", "# TYPE c_total counter\nc_total{x=\"1\"} 1\nc_total{x=\"2\"} 1\n");
        String before = engine.exposition();

        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> engine.post("b", "# TYPE c_total counter\nc_total{x=\"1\"} 5\nc_total{x=\"3\"} 5\n"));
        assertEquals(RejectionReason.LIMIT_EXCEEDED, e.reason());
        assertTrue(e.getMessage().contains("--max-series"), e.getMessage());
        assertEquals(before, engine.exposition());
        assertEquals(2, engine.aggregator.sourceStates());
        assertEquals(1, engine.aggregator.liveSources());
        assertEquals(1, engine.aggregator.sourcesHeld());
        // b's baseline of x=1 was not kept: its push of 5 still counts whole
        engine.post("b", "# TYPE c_total counter\nc_total{x=\"1\"} 5\n");
        assertTrue(engine.exposition().contains("c_total{job=\"api\",x=\"1\"} 6\n"), engine.exposition());
    }

    @Test
    void aPushOverTheByteBudgetGivesBackTheStatesItReserved() throws Exception {
        String first = "# TYPE c_total counter\nc_total{x=\"1\"} 1\n";
        SourceHarness measure = new SourceHarness();
        measure.post("a", first);
        // room for a few more small series, not for one with a 500-byte label
        SourceHarness engine = new SourceHarness(Long.MAX_VALUE, Long.MAX_VALUE, measure.aggregator.storeBytes() + 300);
        engine.post("a", first);
        String before = engine.exposition();

        PushRejectedException e = assertThrows(PushRejectedException.class, () -> engine.post("b",
                "# TYPE c_total counter\nc_total{x=\"1\"} 5\nc_total{x=\"2\",long=\"" + "v".repeat(500) + "\"} 5\n"));
        assertEquals(RejectionReason.LIMIT_EXCEEDED, e.reason());
        assertTrue(e.getMessage().contains("--max-store-bytes"), e.getMessage());
        assertEquals(before, engine.exposition());
        assertEquals(1, engine.aggregator.sourceStates());
        assertEquals(1, engine.aggregator.sourcesHeld(), "the refused source left no trace");
        // b has no baseline of x=1: its push of 5 counts whole
        engine.post("b", "# TYPE c_total counter\nc_total{x=\"1\"} 5\n");
        assertTrue(engine.exposition().contains("c_total{job=\"api\",x=\"1\"} 6\n"), engine.exposition());
    }

    @Test
    void aGaugeHistogramFromASourceIsRefused() throws Exception {
        SourceHarness engine = new SourceHarness();
        engine.post("a", STORED);
        String before = engine.exposition();
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> engine.post("a", List.of(
                new MetricFamily("c_total", MetricType.COUNTER, "", List.of(new ScalarSample(Labels.EMPTY, 100))),
                new MetricFamily("q", MetricType.GAUGE_HISTOGRAM, "", List.of(new ClassicHistogram(Labels.EMPTY,
                        new double[] {Double.POSITIVE_INFINITY}, new double[] {1}, 1.0, 1.0))))));
        assertEquals(RejectionReason.INVALID_VALUE, e.reason());
        assertEquals("family q: a gaugehistogram cannot come in a cumulative push (one whose grouping labels name a source):"
                + " its values go up and down, so they cannot be told apart from restarts;"
                + " push it without the source labels, where it is added as pushed", e.getMessage());
        assertEquals(before, engine.exposition());
    }

    @Test
    void aHistogramOfTheOtherKindIsRefusedAndTheClassicBaselineStays() throws Exception {
        SourceHarness engine = new SourceHarness();
        engine.post("a", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n");
        String before = engine.exposition();
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> engine.post("a", List.of(
                new MetricFamily("h", MetricType.HISTOGRAM, "", List.of(NativeHistogramBuilder.nh(0).zero(0.25, 3).sum(1).build())))));
        assertEquals(RejectionReason.TYPE_CONFLICT, e.reason());
        assertEquals(before, engine.exposition());
        engine.post("a", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 3\nh_sum 2\nh_count 3\n");
        assertTrue(engine.exposition().contains("h_count{job=\"api\"} 3\n"), engine.exposition());
    }
}
