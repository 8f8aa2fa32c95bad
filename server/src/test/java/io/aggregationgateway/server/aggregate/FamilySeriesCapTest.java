package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A family's room as {@link FamilySeriesCap} reserves it, with another push's reservation open
 * (see {@code FamilyRulesTest} for pushes racing through the engine).
 */
class FamilySeriesCapTest {
    private static final int LIMIT = 4;

    private static List<Series> series(int from, int to) {
        List<Series> series = new ArrayList<>();
        for (int i = from; i < to; i++) {
            series.add(new ScalarSample(Labels.of("i", Integer.toString(i)), 1));
        }
        return series;
    }

    /** A family at its limit whose last push has put its series in and not yet given back its reservation. */
    private static StoredFamily fullWithAPushFinishing(FamilySeriesCap cap) throws PushRejectedException {
        StoredFamily family = new StoredFamily("c_total", MetricType.COUNTER, "");
        family.add(series(0, 2), "", 0, StoredFamily.NO_SOURCE, null, new PushTally(), false);
        assertEquals(2, cap.reserve(new MetricFamily("c_total", MetricType.COUNTER, "", series(2, 4)), family));
        family.add(series(2, 4), "", 0, StoredFamily.NO_SOURCE, null, new PushTally(), false);
        return family;
    }

    @Test
    void aPushOfHeldSeriesOnlyFitsWhileAnotherPushGivesItsReservationBack() throws Exception {
        FamilySeriesCap cap = new FamilySeriesCap(LIMIT);
        StoredFamily family = fullWithAPushFinishing(cap);
        assertEquals(0, cap.reserve(new MetricFamily("c_total", MetricType.COUNTER, "", series(0, 4)), family));
    }

    @Test
    void aNewSeriesIsRefusedAtTheLimitAndLeavesNoReservation() throws Exception {
        FamilySeriesCap cap = new FamilySeriesCap(LIMIT);
        StoredFamily family = fullWithAPushFinishing(cap);
        long before = family.pendingNewSeries().get();
        PushRejectedException refused = assertThrows(PushRejectedException.class,
                () -> cap.reserve(new MetricFamily("c_total", MetricType.COUNTER, "", series(3, 5)), family));
        assertEquals(RejectionReason.LIMIT_EXCEEDED, refused.reason());
        assertEquals(before, family.pendingNewSeries().get());
    }
}
