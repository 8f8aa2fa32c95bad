package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * A family's series by their labels: an open-addressing hash table of the cells themselves, keyed
 * by each cell's own labels, so a series costs one 4-byte slot (at most three quarters of the slots
 * are taken) instead of a map node of 32 bytes and its slot.
 *
 * <p>Lookups take no lock and may run during any change: a slot goes from empty to a cell once and
 * from a cell to {@link #REMOVED} once, and a grown table is published whole, holding every cell
 * of the one it replaces. A lookup that runs on a table just replaced may miss a cell added to its
 * successor; {@link #putIfAbsent} looks again under the lock, so no series is ever added twice.
 * Changes take this table's monitor. Iteration ({@link #toArray}) is weakly consistent, as a
 * {@code ConcurrentHashMap}'s.
 */
final class SeriesTable {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(SeriesCell[].class);
    // Left where a cell was removed, so that lookups probing past the slot still find what follows it.
    private static final SeriesCell REMOVED = new ScalarCell(Labels.EMPTY, 0, 0);
    private static final int MIN_CAPACITY = 8;

    private volatile SeriesCell[] slots;
    private volatile int size;
    private int removedSlots; // guarded by this

    /** @param expected how many series it will hold soon, so that it need not grow step by step */
    SeriesTable(int expected) {
        slots = new SeriesCell[capacityFor(expected)];
    }

    int size() {
        return size;
    }

    /** The cell whose labels equal {@code labels}, or {@code null}. */
    SeriesCell get(Labels labels) {
        SeriesCell[] table = slots;
        int mask = table.length - 1;
        for (int i = home(labels.hashCode(), mask); ; i = (i + 1) & mask) {
            SeriesCell cell = (SeriesCell) SLOT.getAcquire(table, i);
            if (cell == null) {
                return null;
            }
            if (cell != REMOVED && cell.labels().equals(labels)) {
                return cell;
            }
        }
    }

    /** Adds {@code cell} under its labels unless a cell with equal labels is there: returns that one, else {@code null}. */
    synchronized SeriesCell putIfAbsent(SeriesCell cell) {
        SeriesCell held = get(cell.labels());
        if (held != null) {
            return held;
        }
        if ((size + removedSlots + 1) * 4L > slots.length * 3L) {
            rebuild(size + 1);
        }
        SeriesCell[] table = slots;
        int mask = table.length - 1;
        int i = home(cell.labels().hashCode(), mask);
        while (table[i] != null) {
            i = (i + 1) & mask; // a removed slot is not reused: a lookup may be probing past it
        }
        SLOT.setRelease(table, i, cell);
        size++;
        return null;
    }

    /**
     * Adds cells whose labels are all different from each other and from every cell held, without
     * looking any of them up: a restore's, in strictly ascending order. Each then costs a free slot
     * found in the slot array alone, where {@link #putIfAbsent} compares it with every cell its probe
     * passes (a cache miss each: a million restored series spent a third of their restore there).
     */
    synchronized void addDistinct(SeriesCell[] cells) {
        if ((size + removedSlots + (long) cells.length) * 4L > slots.length * 3L) {
            rebuild(size + cells.length);
        }
        SeriesCell[] table = slots;
        int mask = table.length - 1;
        for (SeriesCell cell : cells) {
            int i = home(cell.labels().hashCode(), mask);
            while (table[i] != null) {
                i = (i + 1) & mask;
            }
            SLOT.setRelease(table, i, cell);
        }
        size += cells.length;
    }

    /** Removes {@code cell} if it is held; whether it was. */
    synchronized boolean remove(SeriesCell cell) {
        SeriesCell[] table = slots;
        int mask = table.length - 1;
        for (int i = home(cell.labels().hashCode(), mask); ; i = (i + 1) & mask) {
            SeriesCell held = table[i];
            if (held == null) {
                return false;
            }
            if (held == cell) {
                markRemoved(table, i);
                return true;
            }
        }
    }

    /** Removes the cells {@code doomed} accepts; returns them. */
    synchronized SeriesCell[] removeIf(Predicate<SeriesCell> doomed) {
        SeriesCell[] table = slots;
        SeriesCell[] gone = new SeriesCell[0];
        int count = 0;
        for (int i = 0; i < table.length; i++) {
            SeriesCell cell = table[i];
            if (cell != null && cell != REMOVED && doomed.test(cell)) {
                if (count == gone.length) {
                    gone = Arrays.copyOf(gone, Math.max(8, count * 2));
                }
                gone[count++] = cell;
                markRemoved(table, i);
            }
        }
        if (size * 8L < table.length && table.length > MIN_CAPACITY) {
            rebuild(size); // most of it went: give the slots back
        }
        return Arrays.copyOf(gone, count);
    }

    /** The cells held, in no particular order. */
    SeriesCell[] toArray() {
        SeriesCell[] table = slots;
        SeriesCell[] out = new SeriesCell[Math.min(size, table.length)];
        int count = 0;
        for (int i = 0; i < table.length; i++) {
            SeriesCell cell = (SeriesCell) SLOT.getAcquire(table, i);
            if (cell != null && cell != REMOVED) {
                if (count == out.length) {
                    out = Arrays.copyOf(out, Math.max(8, count * 2)); // added while copying
                }
                out[count++] = cell;
            }
        }
        return count == out.length ? out : Arrays.copyOf(out, count);
    }

    private void markRemoved(SeriesCell[] table, int i) {
        SLOT.setRelease(table, i, REMOVED);
        size--;
        removedSlots++;
    }

    /** A fresh table for {@code expected} cells holding every cell held; the caller holds the monitor. */
    private void rebuild(int expected) {
        SeriesCell[] old = slots;
        SeriesCell[] table = new SeriesCell[capacityFor(Math.max(expected, size))];
        int mask = table.length - 1;
        for (SeriesCell cell : old) {
            if (cell != null && cell != REMOVED) {
                int i = home(cell.labels().hashCode(), mask);
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
                table[i] = cell;
            }
        }
        removedSlots = 0;
        slots = table; // volatile write: publishes the filled table
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
