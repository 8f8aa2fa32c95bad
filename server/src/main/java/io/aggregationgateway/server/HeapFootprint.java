package io.aggregationgateway.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Keeps the process's memory near what the store holds, under a plain {@code java -jar}: by default
 * a JVM keeps the heap it once grew to (up to 70 % of it free) and only gives free heap back after a
 * full collection, so a gateway that once took a burst of pushes keeps twice what its series need.
 * At start the gateway sets three of HotSpot's <em>manageable</em> flags, through the supported
 * {@link HotSpotDiagnosticMXBean#setVMOption}, each only when the command line left it at the JVM's
 * default (an operator's {@code -XX:...} wins):
 *
 * <ul>
 *   <li>{@code MinHeapFreeRatio=5}, {@code MaxHeapFreeRatio=10}: after a marking cycle or a full
 *       collection G1 shrinks the heap to at most a ninth above what it holds (at a remark that
 *       includes garbage not yet collected: a scrape's copies);
 *   <li>{@code G1PeriodicGCInterval=30000}: when no collection ran for 30 s (a quiet gateway), G1
 *       starts a concurrent cycle, whose remark gives the free heap back to the OS.
 * </ul>
 *
 * <p>{@code SoftMaxHeapSize} is manageable too but G1 on JDK 25 does not act on it, so it is left
 * alone. The cost: a gateway that is quiet for 30 s runs a concurrent cycle (a short young pause, a
 * remark and a cleanup, milliseconds for a million series), and a gateway whose heap just shrank
 * grows it again when a burst comes. bench/README.md has the figures.
 */
final class HeapFootprint {
    /** A manageable flag and the value the gateway gives it. */
    record Setting(String flag, String value) {
    }

    /** In the order they are set: MinHeapFreeRatio may not exceed MaxHeapFreeRatio. */
    static final List<Setting> SETTINGS = List.of(
            new Setting("MinHeapFreeRatio", "5"),
            new Setting("MaxHeapFreeRatio", "10"),
            new Setting("G1PeriodicGCInterval", "30000"));
    // (an operator's MaxHeapFreeRatio below 5, or MinHeapFreeRatio above 10, makes the other refuse: left as is)

    private static final Logger LOG = Logger.getLogger(HeapFootprint.class.getName());

    private HeapFootprint() {
    }

    /** Sets each of {@link #SETTINGS} the command line left at its default; returns those it set. */
    static List<String> apply() {
        List<String> set = new ArrayList<>();
        HotSpotDiagnosticMXBean hotSpot;
        try {
            hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (IllegalArgumentException e) {
            return set; // not HotSpot: its collector sizes its heap its own way
        }
        if (hotSpot == null) {
            return set;
        }
        for (Setting setting : SETTINGS) {
            String flag = setting.flag();
            try {
                if (hotSpot.getVMOption(flag).getOrigin() != VMOption.Origin.DEFAULT) {
                    continue; // chosen on the command line (or by ergonomics): leave it
                }
                hotSpot.setVMOption(flag, setting.value());
                set.add(flag + "=" + setting.value());
            } catch (IllegalArgumentException e) {
                // a JVM without the flag, or where it is not writable: nothing to keep small then
                LOG.fine(() -> "not setting " + flag + ": " + e.getMessage());
            }
        }
        return set;
    }
}
