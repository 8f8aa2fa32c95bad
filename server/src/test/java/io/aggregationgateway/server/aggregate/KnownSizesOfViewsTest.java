package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.KnownSizes;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SeriesView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A view carries the sizes kept with its family's sorted series only when it holds them all. */
class KnownSizesOfViewsTest {
    private static StoredFamily family(int series) {
        StoredFamily family = new StoredFamily("c_total", MetricType.COUNTER, "");
        List<Series> pushed = new ArrayList<>();
        for (int i = 0; i < series; i++) {
            pushed.add(new ScalarSample(Labels.of("i", Integer.toString(i)), i));
        }
        family.add(pushed, "", 0, StoredFamily.NO_SOURCE, null, new PushTally(), false);
        return family;
    }

    /** A ledger as a push under way while a view is fixed leaves it, having touched {@code family}. */
    private static ValueLedger openTouching(StoredFamily family) {
        ValueLedger ledger = new ValueLedger();
        ledger.open();
        ledger.beforeTouching(family);
        return ledger;
    }

    @Test
    void aViewOfTheWholeSortedSetCarriesItsSizes() {
        StoredFamily family = family(5);
        StoredFamily.SortedSeries sorted = family.sorted();
        ValueLedger ledger = openTouching(family);
        ledger.beforeChange(sorted.cells()[2]); // a value changed while the view was fixed: still every series
        List<SeriesView> view = FrozenSeries.copy(family, sorted.cells(), ledger, null);

        assertNotSame(KnownSizes.NONE, sorted.sizes());
        assertSame(sorted.sizes(), Aggregator.sizesOf(sorted, view));
        assertSame(sorted, family.sorted(), "the same set of series: the same order, the same sizes");
    }

    @Test
    void aViewLeavingOutASeriesCreatedWhileItWasFixedCarriesNone() {
        StoredFamily family = family(5);
        StoredFamily.SortedSeries sorted = family.sorted();
        ValueLedger ledger = openTouching(family);
        ledger.beforeCreate(sorted.cells()[3]);
        List<SeriesView> view = FrozenSeries.copy(family, sorted.cells(), ledger, null);

        assertEquals(4, view.size());
        assertSame(KnownSizes.NONE, Aggregator.sizesOf(sorted, view));
    }

    @Test
    void aViewWithoutTheExpiredSeriesCarriesNone() {
        StoredFamily family = family(5);
        StoredFamily.SortedSeries sorted = family.sorted();
        SeriesCell[] live = java.util.Arrays.copyOf(sorted.cells(), 4);
        List<SeriesView> view = FrozenSeries.copy(family, live, new ValueLedger(), null);

        assertSame(KnownSizes.NONE, Aggregator.sizesOf(sorted, view));
    }

    @Test
    void aNewSeriesSortsAnewWithSizesOfItsOwn() {
        StoredFamily family = family(5);
        StoredFamily.SortedSeries before = family.sorted();
        family.add(List.of(new ScalarSample(Labels.of("i", "new"), 1)), "", 0, StoredFamily.NO_SOURCE, null,
                new PushTally(), false);
        StoredFamily.SortedSeries after = family.sorted();

        assertEquals(6, after.cells().length);
        assertNotSame(before.sizes(), after.sizes());
    }
}
