package io.aggregationgateway.server.persist;

import java.util.concurrent.locks.LockSupport;

/**
 * How fast a snapshot is written. The periodic ones share the CPU with serving: after each frame
 * the writer rests twice as long as it worked, so it takes a third of a core and pushes keep most
 * of theirs (on two cores a writer at full speed took a third of the pushes' rate); a million
 * series then take about three times the encoding's CPU time to write, still around a second. The
 * last snapshot at shutdown, when nothing is pushed any more, runs at full speed.
 */
final class Pace {
    /** Rest per unit of work. */
    private static final int REST_PER_WORK = 2;
    /** Rests shorter than this are not worth a park: they are carried over to the next frame. */
    private static final long MIN_REST_NANOS = 200_000;

    static final Pace FULL_SPEED = new Pace(false);

    private final boolean paced;
    private long workStart = System.nanoTime();
    private long owed;

    private Pace(boolean paced) {
        this.paced = paced;
    }

    /** A pace for one periodic snapshot; not thread-safe. */
    static Pace sharingTheCpu() {
        return new Pace(true);
    }

    /** Called after each frame: rests in proportion to the work since the last rest. */
    void rest() {
        if (!paced) {
            return;
        }
        long now = System.nanoTime();
        owed += REST_PER_WORK * (now - workStart);
        if (owed >= MIN_REST_NANOS) {
            LockSupport.parkNanos(owed);
            long after = System.nanoTime();
            owed -= after - now; // a longer park (a busy machine) is credited, a shorter one owed
            owed = Math.max(owed, -MIN_REST_NANOS * 10);
            now = after;
        }
        workStart = now;
    }
}
