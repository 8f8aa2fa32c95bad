package io.aggregationgateway.server.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaugeModesTest {
    @Test
    void theFirstRuleMatchingTheWholeNameWins() {
        GaugeModes modes = GaugeModes.parse(List.of("cpu_.*=max", "cpu_temp=min", "a=b=last"));
        assertEquals(GaugeMode.MAX, modes.modeOf("cpu_temp"), "first match, not the most specific");
        assertEquals(GaugeMode.SUM, modes.modeOf("x_cpu_temp"), "anchored at the start");
        assertEquals(GaugeMode.SUM, modes.modeOf("cpu"), "anchored at the end");
        assertEquals(GaugeMode.LAST, modes.modeOf("a=b"), "the mode follows the last =");
        assertFalse(modes.allSum());
        assertTrue(GaugeModes.parse(List.of("x=sum")).allSum());
        assertTrue(GaugeModes.ALL_SUM.allSum());
    }
}
