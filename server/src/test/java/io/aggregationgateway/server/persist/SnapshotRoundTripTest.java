package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.aggregate.RestoreSummary;
import io.aggregationgateway.server.aggregate.StoreImage;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of state an engine holds goes through a snapshot and comes back exactly, and the
 * restored engine goes on as the original would: what sources pushed before is not counted again,
 * gauge modes and source values carry on, the TTLs keep their clocks.
 */
class SnapshotRoundTripTest {
    private static final Optional<Instant> LAST_RESET = Optional.of(Instant.parse("2026-12-01T00:00:00Z"));

    static byte[] encode(Snapshot snapshot) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotEncoder.write(snapshot, out);
        return out.toByteArray();
    }

    static Snapshot decode(byte[] file) throws Exception {
        return SnapshotDecoder.read(new ByteArrayInputStream(file));
    }

    /** The engine's image through the file format and into a fresh engine on the same clock. */
    static EngineFixture roundTrip(EngineFixture original, List<String> sourceLabels) throws Exception {
        Snapshot read = decode(encode(new Snapshot(original.aggregator.image(), LAST_RESET, "test")));
        EngineFixture restored = original.restarted(sourceLabels);
        restored.aggregator.restore(read.store());
        return restored;
    }

    @Test
    void everyKindOfStateComesBackExactly() throws Exception {
        EngineFixture original = new EngineFixture().withEveryKindOfState();
        StoreImage image = original.aggregator.image();
        Snapshot read = decode(encode(new Snapshot(image, LAST_RESET, "aggregation-gateway test")));

        assertEquals(ImageText.of(image), ImageText.of(read.store()));
        assertEquals(LAST_RESET, read.lastReset());
        assertEquals("aggregation-gateway test", read.writer());

        EngineFixture restored = original.restarted(List.of("instance"));
        RestoreSummary summary = restored.aggregator.restore(read.store());
        assertEquals(ImageText.of(image), ImageText.of(restored.aggregator.image()));
        assertEquals(original.text(), restored.text());
        assertEquals(original.protobuf(), restored.protobuf());
        assertEquals(original.aggregator.seriesCount(), summary.series());
        assertEquals(original.aggregator.storeBytes(), restored.aggregator.storeBytes());
        assertEquals(original.aggregator.liveSources(), restored.aggregator.liveSources());
        assertEquals(original.aggregator.sourceStates(), restored.aggregator.sourceStates());
        assertEquals(0, summary.droppedSources());
    }

    @Test
    void theImageHoldsEachKindTheFixtureMeansToCover() throws Exception {
        String text = ImageText.of(new EngineFixture().withEveryKindOfState().aggregator.image());
        for (String expected : List.of("COUNTER mode null", "GAUGE mode SUM", "GAUGE mode MAX", "GAUGE mode MIN",
                "UNTYPED mode LAST", "GAUGE mode AVG", "HISTOGRAM mode null", "GAUGE_HISTOGRAM mode null",
                "classic count", "native integer", "native float", "no classic", "orders [", "orders none",
                "gauge delta true -0.0", "table jobs_total COUNTER", "table latency_seconds HISTOGRAM", "table rpc_seconds HISTOGRAM",
                "table g_last UNTYPED")) {
            assertTrue(text.contains(expected), expected + " in\n" + text);
        }
        assertFalse(text.contains("instance=\"gone\""), "a forgotten source is not saved:\n" + text);
        String plain = ImageText.of(new EngineFixture(List.of(), new java.util.concurrent.atomic.AtomicLong(5))
                .withPlainState().aggregator.image());
        assertTrue(plain.contains("GAUGE mode null") && plain.contains("UNTYPED mode null") && plain.contains("scalar -0.0"), plain);
    }

    @Test
    void aPlainStateComesBackExactly() throws Exception {
        EngineFixture original = new EngineFixture(List.of(), new java.util.concurrent.atomic.AtomicLong(1_000)).withPlainState();
        EngineFixture restored = roundTrip(original, List.of());
        assertEquals(ImageText.of(original.aggregator.image()), ImageText.of(restored.aggregator.image()));
        assertEquals(original.text(), restored.text());
    }

    @Test
    void aCumulativeSourcePushingAfterTheRestartIsNotCountedAgain() throws Exception {
        EngineFixture original = new EngineFixture();
        original.source("pod-1", "# TYPE done_total counter\ndone_total 10\n");
        original.delta("/job/api", "# TYPE done_total counter\ndone_total 1\n");
        EngineFixture restored = roundTrip(original, List.of("instance"));

        restored.source("pod-1", "# TYPE done_total counter\ndone_total 10\n"); // the same totals again
        assertTrue(restored.text().contains("done_total{job=\"api\"} 11\n"), restored.text());
        restored.source("pod-1", "# TYPE done_total counter\ndone_total 15\n");
        assertTrue(restored.text().contains("done_total{job=\"api\"} 16\n"), restored.text());
        restored.source("pod-1", "# TYPE done_total counter\ndone_total 2\n"); // the source restarted
        assertTrue(restored.text().contains("done_total{job=\"api\"} 18\n"), restored.text());
    }

    @Test
    void histogramSourcesAddOnlyWhatGrewAfterTheRestart() throws Exception {
        EngineFixture original = new EngineFixture();
        String totals = """
                # TYPE h histogram
                h_bucket{le="1"} 2
                h_bucket{le="+Inf"} 3
                h_sum 4
                h_count 3
                """;
        original.source("pod-1", totals);
        original.aggregator.push(new Push(GroupingPath.parse("/job/api/instance/pod-1", false), List.of(
                new MetricFamily("n", MetricType.HISTOGRAM, "", List.of(
                        EngineFixture.nativeHistogram(Labels.EMPTY, false, false))))));
        EngineFixture restored = roundTrip(original, List.of("instance"));
        String before = restored.protobuf();

        restored.source("pod-1", totals);
        restored.aggregator.push(new Push(GroupingPath.parse("/job/api/instance/pod-1", false), List.of(
                new MetricFamily("n", MetricType.HISTOGRAM, "", List.of(
                        EngineFixture.nativeHistogram(Labels.EMPTY, false, false))))));
        assertEquals(before, restored.protobuf(), "the same totals again add nothing");
        restored.source("pod-1", totals.replace("h_count 3", "h_count 5").replace("le=\"+Inf\"} 3", "le=\"+Inf\"} 5"));
        assertTrue(restored.text().contains("h_count{job=\"api\"} 5\n"), restored.text());
    }

    @Test
    void sourceGaugesAndModesCarryOn() throws Exception {
        EngineFixture original = new EngineFixture().withEveryKindOfState();
        EngineFixture restored = roundTrip(original, List.of("instance"));

        // g_last: pod-1 pushed 4 last; a delta push after the restart is newer still
        assertTrue(restored.text().contains("g_last{job=\"api\"} 4\n"), restored.text());
        restored.delta("/job/api", "# TYPE g_last untyped\ng_last 6\n");
        assertTrue(restored.text().contains("g_last{job=\"api\"} 6\n"), restored.text());
        restored.source("pod-2", "# TYPE g_last untyped\ng_last 8\n");
        assertTrue(restored.text().contains("g_last{job=\"api\"} 8\n"), restored.text());

        // a source's gauge values leave with it: the ids in the cells are the restored sources'
        restored.aggregator.forgetSources(GroupingPath.parse("/job/api/instance/pod-1", true));
        assertTrue(restored.text().contains("temperature{job=\"api\",room=\"a\"} 21.5\n"), restored.text());
        // a new source gets an id no restored source has
        restored.source("pod-9", "# TYPE g_min gauge\ng_min 1\n");
        restored.aggregator.forgetSources(GroupingPath.parse("/job/api/instance/pod-9", true));
        assertTrue(restored.text().contains("g_min{job=\"api\"} 3\n"), restored.text());
    }

    @Test
    void expiredSeriesAndSourcesStayExpired() throws Exception {
        EngineFixture original = new EngineFixture();
        original.delta("/job/api", "# TYPE old_total counter\nold_total 1\n");
        original.source("pod-1", "# TYPE t gauge\nt 5\n");
        original.advance(Duration.ofMinutes(50));
        original.delta("/job/api", "# TYPE new_total counter\nnew_total 1\n");
        StoreImage image = original.aggregator.image();

        original.advance(Duration.ofMinutes(15)); // old_total's hour and pod-1's ten minutes pass while "stopped"
        EngineFixture restored = original.restarted(List.of("instance"));
        RestoreSummary summary = restored.aggregator.restore(image);
        assertEquals(2, summary.expiredSeries(), "old_total and pod-1's t");
        assertEquals(1, summary.expiredSources());
        assertEquals(0, restored.aggregator.liveSources());
        assertEquals("# TYPE new_total counter\nnew_total{job=\"api\"} 1\n", restored.text());

        restored.advance(Duration.ofMinutes(46)); // new_total was pushed 61 minutes ago
        assertEquals("", restored.text());
    }

    @Test
    void sourcesOfOtherSourceLabelsAreLeftOutAndTheirGaugeValuesWithThem() throws Exception {
        EngineFixture original = new EngineFixture();
        original.source("pod-1", "# TYPE t gauge\nt 5\n# TYPE c_total counter\nc_total 3\n");
        original.delta("/job/api", "# TYPE t gauge\nt 1\n");
        EngineFixture restored = roundTrip(original, List.of("pod"));
        assertEquals(0, restored.aggregator.liveSources());
        assertEquals("# TYPE c_total counter\nc_total{job=\"api\"} 3\n# TYPE t gauge\nt{job=\"api\"} 1\n", restored.text());

        EngineFixture withoutSources = roundTrip(original, List.of());
        assertEquals(restored.text(), withoutSources.text());
        withoutSources.delta("/job/api", "# TYPE t gauge\nt 2\n");
        assertTrue(withoutSources.text().contains("t{job=\"api\"} 3\n"), "a restored gauge family keeps adding up");
    }

    @Test
    void aPlainGaugeFamilyTakesSourcesOnceTheyAreConfigured() throws Exception {
        EngineFixture original = new EngineFixture(List.of(), new java.util.concurrent.atomic.AtomicLong(1_000));
        original.delta("/job/api", "# TYPE t gauge\nt 1\n");
        EngineFixture restored = roundTrip(original, List.of("instance"));
        restored.source("pod-1", "# TYPE t gauge\nt 5\n");
        restored.source("pod-1", "# TYPE t gauge\nt 6\n");
        assertTrue(restored.text().contains("t{job=\"api\"} 7\n"), restored.text());
        restored.aggregator.forgetSources(GroupingPath.parse("/job/api/instance/pod-1", true));
        assertTrue(restored.text().contains("t{job=\"api\"} 1\n"), restored.text());
    }

    @Test
    void anEmptyEngineMakesASmallFileThatLoadsEmpty() throws Exception {
        EngineFixture empty = new EngineFixture();
        byte[] file = encode(new Snapshot(empty.aggregator.image(), Optional.empty(), ""));
        assertTrue(file.length < 64, file.length + " bytes");
        Snapshot read = decode(file);
        assertEquals(Optional.empty(), read.lastReset());
        assertEquals(ImageText.of(empty.aggregator.image()), ImageText.of(read.store()));
    }
}
