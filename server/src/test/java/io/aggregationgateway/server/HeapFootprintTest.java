package io.aggregationgateway.server;

import io.aggregationgateway.server.HeapFootprint.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which phase a collection of each cause leaves the gateway in: the ratios follow it. */
class HeapFootprintTest {
    @ParameterizedTest(name = "{0} after a collection of cause \"{1}\" → {2}")
    @CsvSource(delimiter = '|', textBlock = """
            BUSY  | G1 Periodic Collection   | QUIET
            QUIET | G1 Periodic Collection   | QUIET
            QUIET | G1 Evacuation Pause      | BUSY
            QUIET | G1 Humongous Allocation  | BUSY
            QUIET | G1 Preventive Collection | BUSY
            QUIET | Allocation Failure       | BUSY
            BUSY  | G1 Evacuation Pause      | BUSY
            QUIET | System.gc()              | QUIET
            BUSY  | System.gc()              | BUSY
            QUIET | Diagnostic Command       | QUIET
            QUIET | No GC                    | QUIET
            QUIET | Metadata GC Threshold    | QUIET
            BUSY  | Metadata GC Threshold    | BUSY
            """)
    void aCollectionsCauseSetsThePhase(Phase before, String cause, Phase after) {
        assertEquals(after, HeapFootprint.after(before, cause));
    }
}
