package io.aggregationgateway.server.aggregate;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Lets a scrape see whole pushes, each one wholly or not at all, without pushes waiting for scrapes.
 *
 * <p>Pushes run in numbered epochs. A scrape fixes its view by opening the next epoch and waiting
 * for the pushes of the closed one to finish; pushes of the new epoch wait for that too before they
 * change anything (otherwise one could note a value that a straggler of the closed epoch then adds
 * to), and the last of the closed epoch's pushes lets them go on as it finishes. That pause lasts as
 * long as the longest push in flight, not the scrape. Then the scrape copies
 * every value as it stood when the closed epoch ended, while pushes of the new epoch run: each first
 * notes in the scrape's {@link ValueLedger} the value it is about to change, or the series it
 * creates, and the copy takes the noted value instead, or leaves the series out. The copy is a read
 * of every cell with no I/O: milliseconds for a million series. Rendering works on the copy
 * afterwards, however slowly the scraper reads, and pushes never wait for it.
 *
 * <p>Two epoch numbers are ever in use at once, so each has one in-flight counter, by parity.
 * Scrapes take turns to fix their views: a ledger serves one copy.
 */
final class PushEpochs {
    private static final int SPINS_BEFORE_PARKING = 100;
    private static final long PARK_NANOS = 20_000;

    /** An epoch and the ledger its pushes write to ({@code null} when no scrape is copying). */
    record Phase(long epoch, ValueLedger ledger) {
    }

    private volatile Phase phase = new Phase(0, null);
    private final AtomicLong[] inFlight = {new AtomicLong(), new AtomicLong()};
    private final ReentrantLock copying = new ReentrantLock();

    /** Registers a push; it must call {@link #exit} with the result once it has merged or given up. */
    Phase enter() {
        while (true) {
            Phase current = phase;
            AtomicLong counter = inFlight[parity(current.epoch())];
            counter.incrementAndGet();
            Phase now = phase;
            if (now.epoch() == current.epoch()) {
                // the same epoch, perhaps with its ledger closed since: take the newer
                if (now.ledger() != null) {
                    now.ledger().awaitOpening();
                }
                return now;
            }
            counter.decrementAndGet(); // a scrape closed the epoch meanwhile: join the new one
        }
    }

    void exit(Phase entered) {
        AtomicLong counter = inFlight[parity(entered.epoch())];
        if (counter.decrementAndGet() == 0) {
            // the last push of a closed epoch opens the next one itself: the pushes waiting for it
            // need not wait for the scrape's thread to be scheduled and notice
            Phase now = phase;
            if (opensLedger(entered, now, counter.get())) {
                now.ledger().open();
            }
        }
    }

    /**
     * Whether a push of epoch {@code entered}, having brought its epoch's in-flight count to zero,
     * may open the ledger of {@code now} (the phase it read afterwards), given the count read after
     * that phase. Only when {@code now} is the cut that closed the push's own epoch, the epoch right
     * after it, and the count is still zero:
     * <ul>
     *   <li>a push held up between its decrement and its read of the phase may find a later cut,
     *       two epochs on, waiting for the pushes of the epoch between: that ledger is not its to
     *       open, and opening it would let that cut copy while those pushes still change cells;</li>
     *   <li>a push may join the epoch after the decrement and before the cut changes the phase: the
     *       count read after the phase shows it (every step here is a volatile access, so a push that
     *       read the old phase incremented before the cut wrote the new one).</li>
     * </ul>
     * When this says no, the cut's own wait sees the count reach zero.
     */
    static boolean opensLedger(Phase entered, Phase now, long inFlightAfterwards) {
        return now.ledger() != null && now.epoch() == entered.epoch() + 1 && inFlightAfterwards == 0;
    }

    /**
     * Fixes a view and lets {@code copy} read it: every push that had begun when this was called is
     * in it, none that began afterwards is (their changes are undone through the ledger).
     * The caller must keep series from being removed meanwhile, and must not be a registered push.
     */
    <T> T cut(Function<ValueLedger, T> copy) {
        copying.lock();
        try {
            long closed = phase.epoch();
            ValueLedger ledger = new ValueLedger();
            phase = new Phase(closed + 1, ledger);
            AtomicLong closedInFlight = inFlight[parity(closed)];
            await(() -> ledger.opened() || closedInFlight.get() == 0);
            ledger.open();
            try {
                return copy.apply(ledger);
            } finally {
                ledger.close();
                phase = new Phase(closed + 1, null);
            }
        } finally {
            copying.unlock();
        }
    }

    /** Waits for pushes that take microseconds to milliseconds: spins briefly, then parks in short steps. */
    static void await(BooleanSupplier condition) {
        for (int spins = 0; !condition.getAsBoolean(); spins++) {
            if (spins < SPINS_BEFORE_PARKING) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(PARK_NANOS);
            }
        }
    }

    private static int parity(long epoch) {
        return (int) (epoch & 1);
    }
}
