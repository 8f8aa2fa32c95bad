package io.aggregationgateway.server.connection;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DescriptorBudgetTest {
    @ParameterizedTest(name = "requested {0}, limit {1}, open {2}: {3}")
    @CsvSource({
            "10000, 1048576, 80, 10000",   // a usual limit leaves the cap as asked
            "10000, 256, 73, 151",         // ulimit -n 256: what is left after a reserve of 32
            "10000, 4096, 100, 3587",      // the reserve grows with the limit: a tenth
            "100, 256, 73, 100",
            "10000, 64, 60, 1",            // never below one
            "10000, 0, 50, 10000"})        // no limit known
    void theCapLeavesDescriptorsForEverythingElse(int requested, long limit, long open, int cap) {
        assertEquals(cap, DescriptorBudget.cap(requested, limit, open));
    }
}
