package io.aggregationgateway.server.aggregate;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What pushes changed while one scrape copied its view (see {@link PushEpochs}): the families they
 * touched; for each cell they changed, its value before the first change; for each cell they
 * created, {@link #CREATED}.
 *
 * <p>Order is what makes it right: a push notes a family, then a cell, here before it changes or
 * publishes the cell, and the copy reads a family's cells before it looks here. So when the copy's
 * read saw a push's change, the note is already here; when a family has no note, no read of its
 * cells saw a change, and the copy needs no lookups for it.
 */
final class ValueLedger {
    /** Marks a cell created after the view was fixed: the view leaves it out. */
    static final Object CREATED = new Object();

    private final Set<StoredFamily> touched = ConcurrentHashMap.newKeySet();
    // by the cell itself: cells equal by their labels, and two families may hold series of equal labels
    private final ConcurrentHashMap<CellKey, Object> before = new ConcurrentHashMap<>();
    // Pushes of the new epoch wait for the opening: see PushEpochs.
    private volatile boolean opened;
    private volatile boolean open = true;

    /** For a push of the new epoch: returns once the closed epoch's pushes are done. */
    void awaitOpening() {
        if (!opened) {
            PushEpochs.await(() -> opened);
        }
    }

    boolean opened() {
        return opened;
    }

    /** The closed epoch's pushes are done: the copy may start, pushes may go on. */
    void open() {
        opened = true;
    }

    /** Before a push changes anything of {@code family}. */
    void beforeTouching(StoredFamily family) {
        if (open && !touched.contains(family)) {
            touched.add(family);
        }
    }

    /** Before a push changes {@code cell}: notes its value unless an earlier push did. */
    void beforeChange(SeriesCell cell) {
        if (open) {
            before.computeIfAbsent(new CellKey(cell), key -> key.cell().capture());
        }
    }

    /** Before a push publishes the new {@code cell}. */
    void beforeCreate(SeriesCell cell) {
        if (open) {
            before.put(new CellKey(cell), CREATED);
        }
    }

    /** For the copy, after it read the family's cells: whether a push may have changed any of them. */
    boolean touched(StoredFamily family) {
        return touched.contains(family);
    }

    /**
     * For the copy, after it read {@code cell}: {@code null} when what it read is the view's value,
     * else the view's value (as {@link SeriesCell#capture()} gives it) or {@link #CREATED}.
     */
    Object noted(SeriesCell cell) {
        return before.get(new CellKey(cell));
    }

    /** The copy is done: later pushes need not note anything. */
    void close() {
        open = false;
    }

    /** A cell as a key by its identity; hashed by its labels, which it already holds the hash of. */
    private record CellKey(SeriesCell cell) {
        @Override
        public boolean equals(Object o) {
            return o instanceof CellKey other && other.cell == cell;
        }

        @Override
        public int hashCode() {
            return cell.hashCode();
        }
    }
}
