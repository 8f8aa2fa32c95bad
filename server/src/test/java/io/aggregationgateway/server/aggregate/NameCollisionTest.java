package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.SummarySample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * A family whose name, or the name of one of its samples, another family's exposition also uses
 * is refused (400), whichever came first and also within one push; the store stays as it was.
 */
class NameCollisionTest {
    private static final String HISTOGRAM_H = "histogram h is exposed as h, h_bucket, h_count, h_sum, h_created";
    private static final String COUNTER_X = "counter x is exposed as x, x_total, x_created";

    /** Stored first, then pushed; the exact message. */
    static List<Arguments> collisionsWithTheStore() {
        return List.of(
                arguments("untyped h_bucket next to histogram h", histogram("h"), scalar("h_bucket", MetricType.UNTYPED),
                        "family h_bucket (untyped) collides with histogram h, which the gateway holds: " + HISTOGRAM_H
                                + "; both claim the name h_bucket in a scrape, so one of the two needs another name"),
                arguments("histogram h next to untyped h_bucket", scalar("h_bucket", MetricType.UNTYPED), histogram("h"),
                        "family h (histogram) collides with untyped h_bucket, which the gateway holds: " + HISTOGRAM_H
                                + "; both claim the name h_bucket in a scrape, so one of the two needs another name"),
                arguments("gauge h_count next to histogram h", histogram("h"), scalar("h_count", MetricType.GAUGE),
                        "family h_count (gauge) collides with histogram h, which the gateway holds: " + HISTOGRAM_H
                                + "; both claim the name h_count in a scrape, so one of the two needs another name"),
                arguments("counter h_sum next to histogram h", histogram("h"), scalar("h_sum", MetricType.COUNTER),
                        "family h_sum (counter) collides with histogram h, which the gateway holds: " + HISTOGRAM_H
                                + "; both claim the name h_sum in a scrape, so one of the two needs another name"),
                arguments("untyped h_created next to histogram h", histogram("h"), scalar("h_created", MetricType.UNTYPED),
                        "family h_created (untyped) collides with histogram h, which the gateway holds: " + HISTOGRAM_H
                                + "; both claim the name h_created in a scrape, so one of the two needs another name"),
                arguments("counter h_count_total next to histogram h (OpenMetrics family h_count)", histogram("h"),
                        scalar("h_count_total", MetricType.COUNTER),
                        "family h_count_total (counter) collides with histogram h, which the gateway holds: " + HISTOGRAM_H
                                + "; both claim the name h_count in a scrape, so one of the two needs another name"),
                arguments("gauge g_gsum next to gauge histogram g", histogram("g", MetricType.GAUGE_HISTOGRAM),
                        scalar("g_gsum", MetricType.GAUGE),
                        "family g_gsum (gauge) collides with gaugehistogram g, which the gateway holds: gaugehistogram g"
                                + " is exposed as g, g_bucket, g_count, g_sum, g_gcount, g_gsum; both claim the name g_gsum"
                                + " in a scrape, so one of the two needs another name"),
                arguments("gauge x_total next to counter x", scalar("x", MetricType.COUNTER), scalar("x_total", MetricType.GAUGE),
                        "family x_total (gauge) collides with counter x, which the gateway holds: " + COUNTER_X
                                + "; both claim the name x_total in a scrape, so one of the two needs another name"),
                arguments("counter x next to gauge x_total", scalar("x_total", MetricType.GAUGE), scalar("x", MetricType.COUNTER),
                        "family x (counter) collides with gauge x_total, which the gateway holds: " + COUNTER_X
                                + "; both claim the name x_total in a scrape, so one of the two needs another name"),
                arguments("gauge x next to counter x_total", scalar("x_total", MetricType.COUNTER), scalar("x", MetricType.GAUGE),
                        "family x (gauge) collides with counter x_total, which the gateway holds: counter x_total is exposed"
                                + " as x, x_total, x_created; both claim the name x in a scrape, so one of the two needs another name"),
                arguments("counter x next to counter x_total", scalar("x_total", MetricType.COUNTER), scalar("x", MetricType.COUNTER),
                        "family x (counter) collides with counter x_total, which the gateway holds: counter x_total is exposed"
                                + " as x, x_total, x_created; both claim the name x in a scrape, so one of the two needs another name"),
                arguments("gauge x_created next to counter x_total", scalar("x_total", MetricType.COUNTER),
                        scalar("x_created", MetricType.GAUGE),
                        "family x_created (gauge) collides with counter x_total, which the gateway holds: counter x_total is"
                                + " exposed as x, x_total, x_created; both claim the name x_created in a scrape, so one of the"
                                + " two needs another name"),
                arguments("summary s next to untyped s_count", scalar("s_count", MetricType.UNTYPED), summary("s"),
                        "family s (summary) collides with untyped s_count, which the gateway holds: summary s is exposed as"
                                + " s, s_count, s_sum, s_created; both claim the name s_count in a scrape, so one of the two"
                                + " needs another name"),
                arguments("summary h_bucket next to histogram h", histogram("h"), summary("h_bucket"),
                        "family h_bucket (summary) collides with histogram h, which the gateway holds: " + HISTOGRAM_H
                                + "; both claim the name h_bucket in a scrape, so one of the two needs another name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("collisionsWithTheStore")
    void aFamilyCollidingWithAStoredOneIsRefused(String name, MetricFamily stored, MetricFamily pushed, String message)
            throws Exception {
        EngineHarness engine = new EngineHarness();
        engine.aggregator.push(push(stored));
        String before = engine.exposition();
        long bytes = engine.aggregator.storeBytes();

        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> engine.aggregator.push(push(scalar("valid_total", MetricType.COUNTER), pushed)));

        assertEquals(RejectionReason.NAME_COLLISION, e.reason());
        assertEquals(message, e.getMessage());
        assertEquals(before, engine.exposition());
        assertEquals(bytes, engine.aggregator.storeBytes());
        assertEquals(1, engine.aggregator.familyCount());
    }

    static List<Arguments> collisionsWithinOnePush() {
        return List.of(
                arguments("histogram h, then untyped h_sum", List.of(histogram("h"), scalar("h_sum", MetricType.UNTYPED)),
                        "family h_sum (untyped) collides with histogram h, which this push also carries: " + HISTOGRAM_H
                                + "; both claim the name h_sum in a scrape, so one of the two needs another name"),
                arguments("untyped h_sum, then histogram h", List.of(scalar("h_sum", MetricType.UNTYPED), histogram("h")),
                        "family h (histogram) collides with untyped h_sum, which this push also carries: " + HISTOGRAM_H
                                + "; both claim the name h_sum in a scrape, so one of the two needs another name"),
                arguments("counter x and gauge x_total", List.of(scalar("x", MetricType.COUNTER), scalar("x_total", MetricType.GAUGE)),
                        "family x_total (gauge) collides with counter x, which this push also carries: " + COUNTER_X
                                + "; both claim the name x_total in a scrape, so one of the two needs another name"),
                arguments("summary s and gauge s_sum", List.of(summary("s"), scalar("s_sum", MetricType.GAUGE)),
                        "family s (summary) collides with gauge s_sum, which this push also carries: summary s is exposed as"
                                + " s, s_count, s_sum, s_created; both claim the name s_sum in a scrape, so one of the two"
                                + " needs another name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("collisionsWithinOnePush")
    void familiesCollidingWithinOnePushAreRefused(String name, List<MetricFamily> families, String message) {
        Aggregator aggregator = new Aggregator();
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> aggregator.push(new Push(Labels.EMPTY, families)));
        assertEquals(RejectionReason.NAME_COLLISION, e.reason());
        assertEquals(message, e.getMessage());
        assertEquals(List.of(), aggregator.families());
        assertEquals(0, aggregator.storeBytes());
    }

    @Test
    void theTextFormatReproductionIsRefused() throws Exception {
        EngineHarness engine = new EngineHarness();
        engine.push("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 2\nh_count 1\n");
        String before = engine.exposition();
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> engine.push("h_bucket 5\n"));
        assertEquals(RejectionReason.NAME_COLLISION, e.reason());
        assertEquals(before, engine.exposition());
    }

    @Test
    void namesThatOnlyLookAlikeAreAccepted() {
        Aggregator aggregator = new Aggregator();
        assertDoesNotThrow(() -> aggregator.push(push(histogram("h"), scalar("hh_bucket", MetricType.UNTYPED),
                scalar("h_bucket_x", MetricType.GAUGE), scalar("h_total", MetricType.GAUGE),
                scalar("x_totals", MetricType.GAUGE), scalar("x_total", MetricType.COUNTER),
                scalar("g", MetricType.GAUGE), scalar("g_total", MetricType.GAUGE),
                scalar("u_count", MetricType.UNTYPED), scalar("u_sum", MetricType.GAUGE))));
        assertEquals(10, aggregator.familyCount());
        // pushing stored families again never collides with themselves
        assertDoesNotThrow(() -> aggregator.push(push(histogram("h"), scalar("x_total", MetricType.COUNTER))));
    }

    @Test
    void aRemovedFamilyFreesItsNames() throws Exception {
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.of("job", "a"), List.of(histogram("h"))));
        assertThrows(PushRejectedException.class, () -> aggregator.push(push(scalar("h_bucket", MetricType.UNTYPED))));
        aggregator.delete(Labels.of("job", "a"));
        assertDoesNotThrow(() -> aggregator.push(push(scalar("h_bucket", MetricType.UNTYPED))));
        aggregator.reset();
        assertDoesNotThrow(() -> aggregator.push(push(histogram("h"))));
    }

    @Test
    void anExpiredFamilyIsNoObstacle() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000);
        Aggregator aggregator = new Aggregator(new EngineSettings("", 100, 8, 64, Duration.ofSeconds(10)), now::get);
        aggregator.push(push(histogram("h")));
        now.addAndGet(11_000); // expired, not yet swept
        aggregator.push(push(scalar("h_bucket", MetricType.UNTYPED)));
        assertEquals("h_bucket", aggregator.families().get(0).name());
        assertEquals(1, aggregator.seriesCount());
    }

    private static Push push(MetricFamily... families) {
        return new Push(Labels.EMPTY, List.of(families));
    }

    private static MetricFamily scalar(String name, MetricType type) {
        return new MetricFamily(name, type, "", List.of(new ScalarSample(Labels.EMPTY, 1)));
    }

    private static MetricFamily histogram(String name) {
        return histogram(name, MetricType.HISTOGRAM);
    }

    private static MetricFamily histogram(String name, MetricType type) {
        return new MetricFamily(name, type, "", List.of(new ClassicHistogram(Labels.EMPTY,
                new double[] {1, Double.POSITIVE_INFINITY}, new double[] {1, 2}, 2.0, 3.0)));
    }

    private static MetricFamily summary(String name) {
        return new MetricFamily(name, MetricType.SUMMARY, "", List.of(new SummarySample(Labels.EMPTY, 1.0, 2.0)));
    }
}
