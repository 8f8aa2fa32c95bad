package io.aggregationgateway.server;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Keeps the process's memory near what the store holds once the gateway is quiet, under a plain
 * {@code java -jar}: by default a JVM keeps the heap it once grew to (up to 70 % of it free) and
 * only gives free heap back after a full collection, so a gateway that once took a burst of pushes
 * keeps twice what its series need. The gateway sets HotSpot's <em>manageable</em> heap flags,
 * through the supported {@link HotSpotDiagnosticMXBean#setVMOption}, each only when the command
 * line left it at the JVM's default (an operator's {@code -XX:...} wins):
 *
 * <ul>
 *   <li>{@code G1PeriodicGCInterval=30000}, at start: when no collection ran for 30 s (a quiet
 *       gateway), G1 starts a concurrent cycle, whose remark can give free heap back to the OS;
 *   <li>{@code MinHeapFreeRatio=5}, {@code MaxHeapFreeRatio=10} from that periodic collection on,
 *       so that its remark shrinks the heap to at most a ninth above what it holds; back to the
 *       JVM's values (40 and 70) at the next collection that allocation started, so that a burst of
 *       new series does not have the heap shrunk to what it holds at every remark of its own
 *       marking cycles, and regrown, at the cost of a young collection every few megabytes.
 * </ul>
 *
 * <p>Under another collector than G1, or when the command line turned the periodic collection off,
 * nothing marks a quiet gateway: there the two ratios are set at start and kept. {@code
 * SoftMaxHeapSize} is manageable too but G1 on JDK 25 does not act on it, so it is left alone.
 * docs/memory.md and bench/README.md have the figures.
 */
final class HeapFootprint {
    /** A manageable flag and a value the gateway gives it. */
    record Setting(String flag, String value) {
    }

    /** What the last collection says about the gateway. */
    enum Phase {
        /** Allocation drives collections: the heap is sized as the JVM sizes it. */
        BUSY,
        /** A periodic collection ran: nothing was collected for the interval; the heap is kept small. */
        QUIET
    }

    static final Setting PERIODIC_COLLECTION = new Setting("G1PeriodicGCInterval", "30000");

    /** The ratios of a quiet gateway, in the order they are set: MinHeapFreeRatio may not exceed MaxHeapFreeRatio. */
    static final List<Setting> QUIET_RATIOS = List.of(
            new Setting("MinHeapFreeRatio", "5"),
            new Setting("MaxHeapFreeRatio", "10"));

    /** The cause G1 gives the collection its periodic timer starts (HotSpot's {@code GCCause}). */
    static final String PERIODIC_CAUSE = "G1 Periodic Collection";

    /** Causes of collections that allocation starts: the gateway is busy. */
    static final Set<String> ALLOCATION_CAUSES = Set.of(
            "G1 Evacuation Pause", "G1 Humongous Allocation", "G1 Preventive Collection", "Allocation Failure");

    private static final Logger LOG = Logger.getLogger(HeapFootprint.class.getName());

    private final HotSpotDiagnosticMXBean hotSpot;
    private final List<Setting> quiet;  // the ratios this gateway manages, quiet values, in setting order
    private final List<Setting> busy;   // the same flags at the JVM's values, in setting order
    private Phase phase = Phase.BUSY;   // guarded by this

    private HeapFootprint(HotSpotDiagnosticMXBean hotSpot, List<Setting> quiet, List<Setting> busy) {
        this.hotSpot = hotSpot;
        this.quiet = quiet;
        this.busy = busy;
    }

    /**
     * The phase after a collection of {@code cause}: quiet from a periodic collection on, busy again
     * from the next one allocation started; other collections (explicit ones, the pauses of a
     * marking cycle) leave it as it was.
     */
    static Phase after(Phase current, String cause) {
        if (PERIODIC_CAUSE.equals(cause)) {
            return Phase.QUIET;
        }
        if (ALLOCATION_CAUSES.contains(cause)) {
            return Phase.BUSY;
        }
        return current;
    }

    /** Sets the flags the command line left at their defaults, now or as the phase changes; returns what it did. */
    static List<String> start() {
        List<String> done = new ArrayList<>();
        HotSpotDiagnosticMXBean hotSpot;
        try {
            hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (IllegalArgumentException e) {
            return done; // not HotSpot: its collector sizes its heap its own way
        }
        if (hotSpot == null) {
            return done;
        }
        boolean g1 = "true".equals(value(hotSpot, "UseG1GC"));
        if (g1 && isDefault(hotSpot, PERIODIC_COLLECTION.flag()) && set(hotSpot, PERIODIC_COLLECTION)) {
            done.add(PERIODIC_COLLECTION.flag() + "=" + PERIODIC_COLLECTION.value());
        }
        List<Setting> quiet = new ArrayList<>();
        List<Setting> busy = new ArrayList<>();
        for (Setting setting : QUIET_RATIOS) {
            String jvmValue = value(hotSpot, setting.flag());
            if (jvmValue != null && isDefault(hotSpot, setting.flag())) {
                quiet.add(setting);
                busy.addFirst(new Setting(setting.flag(), jvmValue)); // loosened in reverse: Max before Min
            }
        }
        if (quiet.isEmpty()) {
            return done;
        }
        String periodic = value(hotSpot, PERIODIC_COLLECTION.flag());
        if (!g1 || periodic == null || periodic.equals("0")) {
            for (Setting setting : quiet) { // nothing marks a quiet gateway: keep the heap small throughout
                if (set(hotSpot, setting)) {
                    done.add(setting.flag() + "=" + setting.value());
                }
            }
            return done;
        }
        HeapFootprint footprint = new HeapFootprint(hotSpot, List.copyOf(quiet), List.copyOf(busy));
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> footprint.collected(notification),
                        notification -> GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                                .equals(notification.getType()), null);
            }
        }
        for (Setting setting : quiet) {
            done.add(setting.flag() + "=" + setting.value() + " once quiet");
        }
        return done;
    }

    /** A collection ended: the ratios follow the phase it shows. Runs on the JVM's notification thread. */
    private synchronized void collected(Notification notification) {
        String cause = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcCause();
        Phase next = after(phase, cause);
        if (next == phase) {
            return;
        }
        phase = next;
        for (Setting setting : next == Phase.QUIET ? quiet : busy) {
            set(hotSpot, setting);
        }
        LOG.fine(() -> "after a collection of cause " + cause + ": heap flags of a " + next.name().toLowerCase() + " gateway");
    }

    private static boolean isDefault(HotSpotDiagnosticMXBean hotSpot, String flag) {
        try {
            return hotSpot.getVMOption(flag).getOrigin() == VMOption.Origin.DEFAULT; // else chosen on the command line (or by ergonomics)
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String value(HotSpotDiagnosticMXBean hotSpot, String flag) {
        try {
            return hotSpot.getVMOption(flag).getValue();
        } catch (IllegalArgumentException e) {
            return null; // a JVM without the flag
        }
    }

    private static boolean set(HotSpotDiagnosticMXBean hotSpot, Setting setting) {
        try {
            hotSpot.setVMOption(setting.flag(), setting.value());
            return true;
        } catch (IllegalArgumentException e) {
            // not writable here, or refused (an operator's MaxHeapFreeRatio below the other's value): left as is
            LOG.fine(() -> "not setting " + setting.flag() + ": " + e.getMessage());
            return false;
        }
    }
}
