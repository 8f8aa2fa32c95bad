package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class SeriesCellTest {
    private static final Labels LABELS = Labels.of("instance", "a", "job", "api");

    @Test
    void aCellIsItsOwnLabelSetSharingTheEncoding() {
        ScalarCell cell = new ScalarCell(LABELS, 1, 0);
        assertSame(cell, cell.labels());
        assertEquals(LABELS, cell);
        assertEquals(cell, LABELS);
        assertEquals(LABELS.hashCode(), cell.hashCode());
        assertEquals(0, LABELS.compareTo(cell));
        assertEquals(LABELS.toString(), cell.toString());
        assertEquals(LABELS.encodedSize(), cell.encodedSize());
        assertEquals(2, cell.size());
    }

    @Test
    void aCellStandsForItsLabelsInMapsOfLabels() {
        Map<Labels, String> byLabels = new HashMap<>();
        byLabels.put(LABELS, "pushed");
        HistogramCell cell = new HistogramCell(new ClassicHistogram(LABELS, new double[] {Double.POSITIVE_INFINITY},
                new double[] {1}, 1.0, 0.5), 0);
        assertEquals("pushed", byLabels.get(cell));
        byLabels.put(cell, "stored");
        assertEquals(1, byLabels.size());
        assertEquals("stored", byLabels.get(Labels.of("job", "api", "instance", "a")));
    }
}
