package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.ScalarSample;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class ValueLedgerTest {
    private static final Labels LABELS = Labels.of("instance", "a", "job", "api");

    @Test
    void notesAreKeptPerCellNotPerLabelSet() {
        // two families holding series of the same labels: equal as label sets, distinct cells
        ScalarCell counter = new ScalarCell(LABELS, 1, 0);
        ScalarCell created = new ScalarCell(LABELS, 2, 0);
        GaugeCell gauge = GaugeCell.ofDelta(new ScalarSample(LABELS, 5), GaugeMode.SUM, 0);
        ValueLedger ledger = new ValueLedger();
        ledger.open();
        ledger.beforeChange(counter);
        ledger.beforeCreate(created);
        ledger.beforeChange(gauge);
        counter.add(new ScalarSample(LABELS, 10), new PushTally());

        assertEquals(1.0, ledger.noted(counter), "the counter's value before the change");
        assertSame(ValueLedger.CREATED, ledger.noted(created));
        assertEquals(5.0, ledger.noted(gauge));
        assertNull(ledger.noted(new ScalarCell(LABELS, 3, 0)), "a cell no push changed, whatever its labels");
    }
}
