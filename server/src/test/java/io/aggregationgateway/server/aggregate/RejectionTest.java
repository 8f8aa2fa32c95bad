package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every rejection names what was wrong and leaves the store exactly as it was. Each bad push
 * also carries a valid series first, to prove nothing of it is applied.
 */
class RejectionTest {
    private static final String STORED = """
            # TYPE requests_total counter
            requests_total{code="200"} 5
            # TYPE temperature gauge
            temperature 20
            # TYPE latency histogram
            latency_bucket{le="1"} 1
            latency_bucket{le="+Inf"} 2
            latency_sum 3
            latency_count 2
            """;
    /** A valid series that must not land when the rest of its push is rejected. */
    private static final String VALID_PREFIX = "# TYPE requests_total counter\nrequests_total{code=\"200\"} 100\n";

    static Stream<Arguments> badPushes() {
        return Stream.of(
                arguments(RejectionReason.MALFORMED, "line 3", "bad syntax\n"),
                arguments(RejectionReason.DUPLICATE_SERIES, "series {code=\"500\"}: the same series appears twice",
                        "requests_total{code=\"500\"} 1\nrequests_total{code=\"500\"} 2\n"),
                arguments(RejectionReason.TYPE_CONFLICT, "family temperature: pushed as counter but the gateway holds it as gauge",
                        "# TYPE temperature counter\ntemperature 1\n"),
                arguments(RejectionReason.TYPE_CONFLICT, "family latency: pushed as summary",
                        "# TYPE latency summary\nlatency_count 1\nlatency_sum 1\n"),
                arguments(RejectionReason.INVALID_VALUE, "counter value -1.0 is negative",
                        "# TYPE other_total counter\nother_total -1\n"),
                arguments(RejectionReason.INVALID_VALUE, "value NaN cannot be added up",
                        "# TYPE c2_total counter\nc2_total NaN\n"),
                arguments(RejectionReason.INVALID_VALUE, "value Infinity cannot be added up",
                        "# TYPE c3_total counter\nc3_total +Inf\n"),
                arguments(RejectionReason.INVALID_VALUE, "value NaN cannot be added up", "temperature NaN\n"),
                arguments(RejectionReason.INVALID_HISTOGRAM, "neither a +Inf bucket nor _count",
                        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\n"),
                arguments(RejectionReason.INVALID_HISTOGRAM, "buckets are not cumulative",
                        "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"2\"} 3\nh_bucket{le=\"+Inf\"} 5\nh_count 5\n"),
                arguments(RejectionReason.INVALID_HISTOGRAM, "_count 6.0 differs from the +Inf bucket 5.0",
                        "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 5\nh_count 6\n"),
                arguments(RejectionReason.INVALID_NAME, "label name \"__reserved\" is not a valid label name",
                        "x{__reserved=\"1\"} 1\n"),
                arguments(RejectionReason.INVALID_NAME, "prefix aggregation_gateway_ is reserved",
                        "aggregation_gateway_pushes_total 1\n"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badPushes")
    void rejectedPushChangesNothing(RejectionReason reason, String messagePart, String badBody) throws Exception {
        EngineHarness engine = new EngineHarness();
        engine.push(STORED);
        String before = engine.exposition();

        PushRejectedException e = assertThrows(PushRejectedException.class, () -> engine.push(VALID_PREFIX + badBody));

        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), () -> "message was: " + e.getMessage());
        assertEquals(before, engine.exposition());
    }

    @ParameterizedTest(name = "grouping path {0}")
    @MethodSource("collidingPaths")
    void groupingLabelsThatMergeTwoSeriesAreADuplicate(String path) throws Exception {
        EngineHarness engine = new EngineHarness();
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> engine.push(path, "x{job=\"a\"} 1\nx{job=\"b\"} 2\n"));
        assertEquals(RejectionReason.DUPLICATE_SERIES, e.reason());
        assertEquals("", engine.exposition());
    }

    static Stream<String> collidingPaths() {
        return Stream.of("/job/z", "/job@base64/eg==");
    }
}
