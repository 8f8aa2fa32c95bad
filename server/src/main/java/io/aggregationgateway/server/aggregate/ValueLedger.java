package io.aggregationgateway.server.aggregate;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What pushes changed while one scrape copied its view (see {@link PushEpochs}): for each cell they
 * changed, its value before the first change; for each cell they created, {@link #CREATED}.
 *
 * <p>Order is what makes it right: a push notes a cell here before it changes or publishes the
 * cell, and the copy reads a cell before it looks here. So when the copy's read saw a push's change,
 * the note is already here; when nothing is here, the read saw no change.
 */
final class ValueLedger {
    /** Marks a cell created after the view was fixed: the view leaves it out. */
    static final Object CREATED = new Object();

    private final ConcurrentHashMap<SeriesCell, Object> before = new ConcurrentHashMap<>();
    // Set before the first note, so the copy skips the map lookups while no push has written any.
    private volatile boolean noted;
    // Pushes of the new epoch wait for the opening: see PushEpochs.
    private volatile boolean opened;
    private volatile boolean open = true;

    /** For a push of the new epoch: returns once the closed epoch's pushes are done. */
    void awaitOpening() {
        if (!opened) {
            PushEpochs.await(() -> opened);
        }
    }

    /** The closed epoch's pushes are done: the copy starts, pushes may go on. */
    void open() {
        opened = true;
    }

    /** Before a push changes {@code cell}: notes its value unless an earlier push did. */
    void beforeChange(SeriesCell cell) {
        if (open) {
            markNoted();
            before.computeIfAbsent(cell, SeriesCell::capture);
        }
    }

    /** Before a push publishes the new {@code cell}. */
    void beforeCreate(SeriesCell cell) {
        if (open) {
            markNoted();
            before.put(cell, CREATED);
        }
    }

    /**
     * For the copy, after it read {@code cell}: {@code null} when what it read is the view's value,
     * else the view's value (as {@link SeriesCell#capture()} gives it) or {@link #CREATED}.
     */
    Object noted(SeriesCell cell) {
        return noted ? before.get(cell) : null;
    }

    /** The copy is done: later pushes need not note anything. */
    void close() {
        open = false;
    }

    private void markNoted() {
        if (!noted) {
            noted = true;
        }
    }
}
