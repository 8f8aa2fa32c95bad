package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.Series;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A family's series by their labels: an open-addressing hash table of the cells themselves, keyed
 * by each cell's own labels, so a series costs one 4-byte slot and a 1-byte tag (at most three
 * quarters of the slots are taken) instead of a map node of 32 bytes and its slot.
 *
 * <p>Lookups take no lock and may run during any change: a slot goes from empty to a cell once and
 * from a cell to {@link #REMOVED} once, and a grown table is published whole, holding every cell
 * of the one it replaces. A lookup that runs on a table just replaced may miss a cell added to its
 * successor; {@link #putIfAbsent} looks again under the lock, so no series is ever added twice.
 * Changes take this table's monitor. Iteration ({@link #toArray}) is weakly consistent, as a
 * {@code ConcurrentHashMap}'s.
 *
 * <p>The slots are held in arrays of at most {@link #CHUNK_SLOTS} each, never in one array: a
 * power-of-two slot array is a power of two of bytes plus its 16-byte header, which from 2^18
 * slots on is a G1 humongous object taking one more whole region than its size (with 1 MB regions,
 * as {@code -Xmx2g} gives, a 100,000-series family's table of 1 MB and 16 bytes took two regions:
 * 1 MB of heap a family that nothing else could use). A chunk is 64 KB and its header, far below
 * half of the smallest region (512 KB), so G1 packs chunks into regions like any other object; small
 * chunks also leave little room unused where one does not fit at the end of a region. A lookup pays
 * one more load (the chunk's reference, from a directory of a few hundred bytes that stays cached).
 */
final class SeriesTable {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(SeriesCell[].class);
    // Left where a cell was removed, so that lookups probing past the slot still find what follows it.
    private static final SeriesCell REMOVED = new ScalarCell(Labels.EMPTY, 0, 0);
    private static final int MIN_CAPACITY = 8;
    private static final int CHUNK_BITS = 14;
    /** Slots per chunk: 2^14 references are 64 KB (128 KB without compressed references), far below half a region. */
    static final int CHUNK_SLOTS = 1 << CHUNK_BITS;
    private static final int CHUNK_MASK = CHUNK_SLOTS - 1;

    // The slots, CHUNK_SLOTS to a chunk (one shorter chunk for a table of fewer); slot i is
    // cells[i >>> CHUNK_BITS][i & CHUNK_MASK], its tag at the same place in tags. Published whole,
    // like the single array it replaces.
    private volatile Slots slots;
    private volatile int size;
    private int removedSlots; // guarded by this
    // The cells added since the last drainChanges(), so that a sorted view can merge them in rather
    // than sort every series again.
    private final AddedCells added = new AddedCells(); // guarded by this
    private boolean removedSinceDrain; // guarded by this

    /** @param expected how many series it will hold soon, so that it need not grow step by step */
    SeriesTable(int expected) {
        slots = newSlots(capacityFor(expected));
    }

    /**
     * The slot arrays, and beside each slot its cell's {@link #tag}: a lookup reads the cell a slot
     * holds (elsewhere in memory, a cache miss) only when the tag is the one it looks for, so a
     * probe passing other cells, and the whole probe for a series not held (every new series), reads
     * slots and tags alone. One byte a slot: about 1.3 to 2.7 bytes a series.
     */
    private record Slots(SeriesCell[][] cells, byte[][] tags) {
    }

    /** Eight bits of a hash that pick no home (see {@link #home}): two cells of one home most often differ in them. */
    private static byte tag(int hash) {
        return (byte) ((hash * 0x85EBCA6B) >>> 24);
    }

    int size() {
        return size;
    }

    /** The cell whose labels equal {@code labels}, or {@code null}. */
    SeriesCell get(Labels labels) {
        Slots table = slots;
        SeriesCell[][] cells = table.cells();
        int hash = labels.hashCode();
        byte tag = tag(hash);
        int home = home(hash, capacity(cells) - 1);
        // probes within a chunk as in one array; only crossing into the next costs a load
        for (int c = home >>> CHUNK_BITS, i = home & CHUNK_MASK; ; c = c + 1 == cells.length ? 0 : c + 1, i = 0) {
            SeriesCell[] chunk = cells[c]; // after the last chunk comes the first
            byte[] tags = table.tags()[c];
            for (; i < chunk.length; i++) {
                SeriesCell cell = (SeriesCell) SLOT.getAcquire(chunk, i);
                if (cell == null) {
                    return null;
                }
                // the tag was written before the cell was published: read after it, it is the cell's
                if (tags[i] == tag && cell != REMOVED && cell.labels().equals(labels)) {
                    return cell;
                }
            }
        }
    }

    /**
     * Series looked up together: see {@link #getAll}. Enough to keep the core's outstanding misses
     * busy, few enough that the block's slots stay in the first-level cache until they are used.
     */
    static final int LOOKUP_BLOCK = 16;

    /**
     * {@link #get(Labels)} of the labels of {@code pushed[from, to)}, into {@code into[0, to - from)}.
     * A new series' lookup misses the cache on its slot (a table of a million slots is megabytes),
     * and one by one, with a store's monitor taken between two of them, each miss waits alone; in
     * one tight loop of independent lookups the processor has several in flight at once (a table that
     * the cache holds gains nothing: there one lookup after the other costs less). The cells
     * found stay held while the caller merges the block: cells are removed only under the store's
     * write lock, never by a merge; and a cell another push adds meanwhile is found by {@link #putIfAbsent}.
     */
    void getAll(List<Series> pushed, int from, int to, SeriesCell[] into) {
        for (int i = from; i < to; i++) {
            into[i - from] = get(pushed.get(i).labels());
        }
    }

    /**
     * Whether {@code cell} itself is held (not a cell of equal labels), comparing slots with the
     * reference alone: for a sorted view leaving out the cells removed since it was made.
     */
    boolean holdsItself(SeriesCell cell) {
        SeriesCell[][] table = slots.cells();
        int home = home(cell.hashCode(), capacity(table) - 1);
        for (int c = home >>> CHUNK_BITS, i = home & CHUNK_MASK; ; c = c + 1 == table.length ? 0 : c + 1, i = 0) {
            SeriesCell[] chunk = table[c];
            for (; i < chunk.length; i++) {
                Object held = SLOT.getAcquire(chunk, i);
                if (held == cell) {
                    return true;
                }
                if (held == null) {
                    return false;
                }
            }
        }
    }

    /**
     * The cell whose labels are encoded as buf[offset, offset + length), or {@code null}: {@link #get(Labels)}
     * for a label set not built yet.
     *
     * @param hash {@link Labels#hashOf} those bytes, the hash of the labels they encode
     */
    SeriesCell get(byte[] buf, int offset, int length, int hash) {
        Slots table = slots;
        SeriesCell[][] cells = table.cells();
        byte tag = tag(hash);
        int home = home(hash, capacity(cells) - 1);
        for (int c = home >>> CHUNK_BITS, i = home & CHUNK_MASK; ; c = c + 1 == cells.length ? 0 : c + 1, i = 0) {
            SeriesCell[] chunk = cells[c];
            byte[] tags = table.tags()[c];
            for (; i < chunk.length; i++) {
                SeriesCell cell = (SeriesCell) SLOT.getAcquire(chunk, i);
                if (cell == null) {
                    return null;
                }
                Labels labels = cell.labels();
                if (tags[i] == tag && cell != REMOVED && labels.hashCode() == hash && labels.hasEncoding(buf, offset, length)) {
                    return cell;
                }
            }
        }
    }

    /** Adds {@code cell} under its labels unless a cell with equal labels is there: returns that one, else {@code null}. */
    synchronized SeriesCell putIfAbsent(SeriesCell cell) {
        SeriesCell held = get(cell.labels());
        if (held != null) {
            return held;
        }
        if ((size + removedSlots + 1) * 4L > capacity(slots.cells()) * 3L) {
            rebuild(size + 1);
        }
        place(slots, cell);
        size++;
        added.add(cell, size);
        return null;
    }

    /**
     * What changed since the previous call: the cells added, in the order they were added, or
     * {@code null} when they are not known (see {@link AddedCells}); and whether any cell was removed.
     */
    synchronized Changes drainChanges() {
        Changes changes = new Changes(added.take(), removedSinceDrain);
        removedSinceDrain = false;
        return changes;
    }

    /** See {@link #drainChanges}. */
    record Changes(SeriesCell[] added, boolean removed) {
    }

    /**
     * Adds cells whose labels are all different from each other and from every cell held, without
     * looking any of them up: a restore's, in strictly ascending order. Each then costs a free slot
     * found in the slot array alone, where {@link #putIfAbsent} compares it with every cell its probe
     * passes (a cache miss each: a million restored series spent a third of their restore there).
     */
    synchronized void addDistinct(SeriesCell[] cells) {
        if ((size + removedSlots + (long) cells.length) * 4L > capacity(slots.cells()) * 3L) {
            rebuild(size + cells.length);
        }
        Slots table = slots;
        for (SeriesCell cell : cells) {
            place(table, cell);
        }
        size += cells.length;
    }

    /** Removes {@code cell} if it is held; whether it was. */
    synchronized boolean remove(SeriesCell cell) {
        SeriesCell[][] table = slots.cells();
        int mask = capacity(table) - 1;
        for (int i = home(cell.labels().hashCode(), mask); ; i = (i + 1) & mask) {
            SeriesCell[] chunk = table[i >>> CHUNK_BITS];
            SeriesCell held = chunk[i & CHUNK_MASK];
            if (held == null) {
                return false;
            }
            if (held == cell) {
                markRemoved(chunk, i & CHUNK_MASK);
                added.removed(1, this::holdsItself);
                return true;
            }
        }
    }

    /** Removes the cells {@code doomed} accepts; returns them. */
    synchronized SeriesCell[] removeIf(Predicate<SeriesCell> doomed) {
        SeriesCell[][] table = slots.cells();
        SeriesCell[] gone = new SeriesCell[0];
        int count = 0;
        for (SeriesCell[] chunk : table) {
            for (int i = 0; i < chunk.length; i++) {
                SeriesCell cell = chunk[i];
                if (cell != null && cell != REMOVED && doomed.test(cell)) {
                    if (count == gone.length) {
                        gone = Arrays.copyOf(gone, Math.max(8, count * 2));
                    }
                    gone[count++] = cell;
                    markRemoved(chunk, i);
                }
            }
        }
        int capacity = capacity(table);
        if (size * 8L < capacity && capacity > MIN_CAPACITY) {
            rebuild(size); // most of it went: give the slots back
        }
        if (count > 0) {
            added.removed(count, this::holdsItself);
        }
        return Arrays.copyOf(gone, count);
    }

    /** The cells held, in no particular order. */
    SeriesCell[] toArray() {
        SeriesCell[][] table = slots.cells();
        SeriesCell[] out = new SeriesCell[Math.min(size, capacity(table))];
        int count = 0;
        for (SeriesCell[] chunk : table) {
            for (int i = 0; i < chunk.length; i++) {
                SeriesCell cell = (SeriesCell) SLOT.getAcquire(chunk, i);
                if (cell != null && cell != REMOVED) {
                    if (count == out.length) {
                        out = Arrays.copyOf(out, Math.max(8, count * 2)); // added while copying
                    }
                    out[count++] = cell;
                }
            }
        }
        return count == out.length ? out : Arrays.copyOf(out, count);
    }

    private void markRemoved(SeriesCell[] chunk, int i) {
        SLOT.setRelease(chunk, i, REMOVED);
        size--;
        removedSlots++;
        removedSinceDrain = true;
    }

    /** A fresh table for {@code expected} cells holding every cell held; the caller holds the monitor. */
    private void rebuild(int expected) {
        SeriesCell[][] old = slots.cells();
        int capacity = capacityFor(Math.max(expected, size));
        Slots table = newSlots(capacity);
        // Each cell's hash is a cache miss (cells lie all over the heap, a million of them at 1M
        // series): read a block's hashes in one loop of independent loads, then place the block.
        SeriesCell[] block = new SeriesCell[LOOKUP_BLOCK];
        int[] hashes = new int[LOOKUP_BLOCK];
        int inBlock = 0;
        for (SeriesCell[] chunk : old) {
            for (SeriesCell cell : chunk) {
                if (cell != null && cell != REMOVED) {
                    block[inBlock++] = cell;
                    if (inBlock == LOOKUP_BLOCK) {
                        placeAll(table, block, hashes, inBlock);
                        inBlock = 0;
                    }
                }
            }
        }
        placeAll(table, block, hashes, inBlock);
        removedSlots = 0;
        slots = table; // volatile write: publishes the filled table
    }

    /** {@link #place} of {@code cells[0, count)}, their hashes read first; {@code hashes} is room for them. */
    private static void placeAll(Slots table, SeriesCell[] cells, int[] hashes, int count) {
        for (int i = 0; i < count; i++) {
            hashes[i] = cells[i].labels().hashCode();
        }
        for (int i = 0; i < count; i++) {
            place(table, cells[i], hashes[i]);
        }
    }

    private static void place(Slots table, SeriesCell cell) {
        place(table, cell, cell.labels().hashCode());
    }

    /**
     * Stores {@code cell}, whose labels' hash is {@code hash}, in the first empty slot from its home
     * on; the caller holds the monitor. A removed slot is not reused: a lookup may be probing past it.
     */
    private static void place(Slots table, SeriesCell cell, int hash) {
        SeriesCell[][] cells = table.cells();
        int home = home(hash, capacity(cells) - 1);
        for (int c = home >>> CHUNK_BITS, i = home & CHUNK_MASK; ; c = c + 1 == cells.length ? 0 : c + 1, i = 0) {
            SeriesCell[] chunk = cells[c];
            for (; i < chunk.length; i++) {
                if (chunk[i] == null) {
                    table.tags()[c][i] = tag(hash); // before the cell is published with it
                    SLOT.setRelease(chunk, i, cell);
                    return;
                }
            }
        }
    }

    /** Empty slots for a power-of-two {@code capacity}: whole chunks, or one chunk of {@code capacity} below a chunk. */
    private static Slots newSlots(int capacity) {
        int chunks = Math.max(1, capacity >>> CHUNK_BITS);
        SeriesCell[][] cells = new SeriesCell[chunks][];
        byte[][] tags = new byte[chunks][];
        for (int c = 0; c < chunks; c++) {
            cells[c] = new SeriesCell[Math.min(capacity, CHUNK_SLOTS)];
            tags[c] = new byte[cells[c].length];
        }
        return new Slots(cells, tags);
    }

    /** How many slots {@code table} has: a power of two. */
    private static int capacity(SeriesCell[][] table) {
        return table.length == 1 ? table[0].length : table.length << CHUNK_BITS;
    }

    /** The most slots any one array of the table holds: what G1 sees of it. */
    int largestSlotArray() {
        int largest = 0;
        for (SeriesCell[] chunk : slots.cells()) {
            largest = Math.max(largest, chunk.length);
        }
        return largest;
    }

    /** How many slots the table has, taken or not. */
    int capacity() {
        return capacity(slots.cells());
    }

    /** The smallest power of two that holds {@code expected} cells at most three quarters full. */
    private static int capacityFor(int expected) {
        long needed = Math.max(MIN_CAPACITY, (expected * 4L + 2) / 3 + 1);
        return (int) Math.min(1 << 30, Long.highestOneBit(needed - 1) << 1);
    }

    /** Where a hash starts probing: spread, since linear probing suffers from hashes whose low bits cluster. */
    private static int home(int hash, int mask) {
        int h = hash * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
