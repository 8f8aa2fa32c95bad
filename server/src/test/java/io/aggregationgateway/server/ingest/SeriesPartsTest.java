package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.PushRejectedException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeriesPartsTest {

    @Test
    void bucketsComeOutSortedWithTheirCounts() throws Exception {
        SeriesParts histogram = new SeriesParts(Labels.of("a", "1"));
        double[] bounds = {5, Double.POSITIVE_INFINITY, 0.5, -1, 1};
        for (int i = 0; i < bounds.length; i++) {
            histogram.addBucket(bounds[i], i * 10, i + 1);
        }
        histogram.count = 7.0;
        histogram.sum = 2.5;
        ClassicHistogram series = histogram.toHistogram("h");
        assertArrayEquals(new double[]{-1, 0.5, 1, 5, Double.POSITIVE_INFINITY}, series.upperBounds());
        assertArrayEquals(new double[]{30, 20, 40, 0, 10}, series.cumulativeCounts());
        assertEquals(7.0, series.count());
        assertEquals(2.5, series.sum());
    }

    @Test
    void growsPastItsInitialRoom() throws Exception {
        SeriesParts histogram = new SeriesParts(Labels.of());
        for (int i = 0; i < 100; i++) {
            histogram.addBucket(i, i, 1);
        }
        assertEquals(100, histogram.toHistogram("h").upperBounds().length);
    }

    /** -0.0 and 0.0 are one bound; the error names the first line where a bound repeats. */
    @Test
    void duplicateBoundIsReportedAtItsLaterLine() {
        SeriesParts histogram = new SeriesParts(Labels.of("a", "1"));
        histogram.addBucket(1, 1, 2);
        histogram.addBucket(0.0, 1, 3);
        histogram.addBucket(2, 1, 4);
        histogram.addBucket(-0.0, 1, 5);
        histogram.addBucket(2, 1, 6);
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> histogram.toHistogram("h"));
        assertTrue(e.getMessage().startsWith("line 5: duplicate bucket le=\"0\" for histogram \"h\" series {a=\"1\"}"),
                e.getMessage());
    }
}
