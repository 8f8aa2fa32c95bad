package io.aggregationgateway.server.aggregate;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * When the last push of an epoch may open the next cut's ledger itself ({@link PushEpochs#opensLedger}):
 * opening it early lets a scrape copy while a push it should hold whole is still changing cells.
 * {@code WholePushScrapeTest} checks the whole protocol under racing pushes and scrapes.
 */
class PushEpochsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case                                                      | entered | now epoch | ledger | count after | opens
            "the cut that closed its epoch, no push of it left           | 4       | 5         | true   | 0           | true",
            "no cut yet: its own epoch goes on                           | 4       | 4         | false  | 0           | false",
            "that cut's copy is done                                     | 4       | 5         | false  | 0           | false",
            "a push joined its epoch before the cut changed the phase    | 4       | 5         | true   | 1           | false",
            "a later cut, waiting for the pushes of the epoch between    | 4       | 6         | true   | 0           | false",
            "a later cut, with pushes of its new epoch waiting           | 4       | 6         | true   | 3           | false",
    })
    void theLastPushOpensOnlyTheLedgerOfTheCutThatClosedItsEpoch(String name, long entered, long nowEpoch,
                                                                 boolean ledger, long countAfterwards, boolean opens) {
        PushEpochs.Phase now = new PushEpochs.Phase(nowEpoch, ledger ? new ValueLedger() : null);
        assertEquals(opens, PushEpochs.opensLedger(new PushEpochs.Phase(entered, null), now, countAfterwards));
    }
}
