package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Restoring an image into an empty engine: series in label order take a path without lookups. */
class RestoreTest {
    private final EngineHarness harness = new EngineHarness();

    private static StoreImage counters(String... instances) {
        ImageList.Builder series = new ImageList.Builder();
        for (String instance : instances) {
            series.scalar(Labels.of("instance", instance), 1_000L, 500L, 1.0);
        }
        FamilyImage family = new FamilyImage("c", MetricType.COUNTER, "", null, series.build());
        return new StoreImage(1_000L, List.of(family), List.of(), 0, List.of());
    }

    private static String[] ascending(int count) {
        String[] instances = new String[count];
        for (int i = 0; i < count; i++) {
            instances[i] = String.format("i%05d", i);
        }
        return instances;
    }

    @Test
    void everySeriesRestoredInOrderIsFoundByTheNextPush() throws Exception {
        harness.aggregator.restore(counters(ascending(5_000)));
        for (int i = 0; i < 5_000; i += 7) {
            harness.push("# TYPE c counter\nc{instance=\"" + String.format("i%05d", i) + "\"} 2\n");
        }
        assertEquals(5_000, harness.aggregator.seriesCount());
        String exposition = harness.exposition();
        assertTrue(exposition.contains("c{instance=\"i00007\"} 3\n"), exposition.substring(0, 300));
        assertTrue(exposition.contains("c{instance=\"i00008\"} 1\n"));
    }

    @Test
    void everySeriesRestoredOutOfOrderIsFoundByTheNextPush() throws Exception {
        harness.aggregator.restore(counters("i2", "i0", "i1"));
        harness.push("# TYPE c counter\nc{instance=\"i0\"} 2\nc{instance=\"i2\"} 5\n");
        assertEquals("# TYPE c counter\nc{instance=\"i0\"} 3\nc{instance=\"i1\"} 1\nc{instance=\"i2\"} 6\n",
                harness.exposition());
    }

    @Test
    void aSeriesTwiceSideBySideIsRefusedAndLeavesTheEngineEmpty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> harness.aggregator.restore(counters("i0", "i1", "i1", "i2")));
        assertEquals("family c holds series {instance=\"i1\"} twice", e.getMessage());
        assertEquals(0, harness.aggregator.seriesCount());
        assertEquals("", harness.exposition());
    }

    @Test
    void aSeriesTwiceApartIsRefusedAndLeavesTheEngineEmpty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> harness.aggregator.restore(counters("i2", "i0", "i2")));
        assertEquals("family c holds series {instance=\"i2\"} twice", e.getMessage());
        assertEquals(0, harness.aggregator.seriesCount());
    }
}
