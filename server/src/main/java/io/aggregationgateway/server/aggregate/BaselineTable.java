package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;

import java.util.function.Predicate;

/**
 * One source's states in one family: for each series it pushed (by the series' labels, without
 * the source labels), the value it pushed last. An open-addressing hash table over plain arrays:
 * a state costs one reference and one {@code double} (counters, gauges) or one reference to the
 * value (histograms), about 20 to 30 bytes with the table's free slots, where a map entry with a
 * boxed value would cost three objects. The keys are the stored series' own label sets, shared
 * with the aggregate.
 *
 * <p>Not thread-safe: its source's lock guards it.
 */
final class BaselineTable {
    private static final int MIN_CAPACITY = 8;

    private final MetricType type;
    private Labels[] keys;
    // scalar families keep doubles; histogram families objects (HistogramValues, NativeHistogram)
    private double[] numbers;
    private Object[] objects;
    private int size;

    BaselineTable(MetricType type, int expected) {
        this.type = type;
        allocate(capacityFor(expected));
    }

    /** The family type its values are baselines of. */
    MetricType type() {
        return type;
    }

    int size() {
        return size;
    }

    /** The slot holding {@code key}, or -1. Slots stay valid until the next {@link #put}. */
    int find(Labels key) {
        int mask = keys.length - 1;
        for (int i = spread(key.hashCode()) & mask; ; i = (i + 1) & mask) {
            Labels k = keys[i];
            if (k == null) {
                return -1;
            }
            if (k == key || k.equals(key)) {
                return i;
            }
        }
    }

    double number(int slot) {
        return numbers[slot];
    }

    Object object(int slot) {
        return objects[slot];
    }

    void setNumber(int slot, double value) {
        numbers[slot] = value;
    }

    void setObject(int slot, Object value) {
        objects[slot] = value;
    }

    Labels key(int slot) {
        return keys[slot];
    }

    /** Number of slots, for walking the table with {@link #key(int)} (empty slots give {@code null}). */
    int capacity() {
        return keys.length;
    }

    /** Adds {@code key}, which must be absent, and returns its slot. */
    int put(Labels key) {
        if ((size + 1) * 4 > keys.length * 3) {
            rehash(keys.length * 2);
        }
        int mask = keys.length - 1;
        int i = spread(key.hashCode()) & mask;
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        size++;
        return i;
    }

    /** Removes the states whose key {@code doomed} accepts; returns how many went. */
    int removeIf(Predicate<Labels> doomed) {
        Labels[] oldKeys = keys;
        double[] oldNumbers = numbers;
        Object[] oldObjects = objects;
        int kept = 0;
        for (Labels k : oldKeys) {
            if (k != null && !doomed.test(k)) {
                kept++;
            }
        }
        int removed = size - kept;
        if (removed == 0) {
            return 0;
        }
        allocate(capacityFor(kept));
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null && !doomed.test(oldKeys[i])) {
                copy(put(oldKeys[i]), oldNumbers, oldObjects, i);
            }
        }
        return removed;
    }

    private void rehash(int capacity) {
        Labels[] oldKeys = keys;
        double[] oldNumbers = numbers;
        Object[] oldObjects = objects;
        allocate(capacity);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                copy(put(oldKeys[i]), oldNumbers, oldObjects, i);
            }
        }
    }

    private void copy(int slot, double[] fromNumbers, Object[] fromObjects, int from) {
        if (numbers != null) {
            numbers[slot] = fromNumbers[from];
        } else {
            objects[slot] = fromObjects[from];
        }
    }

    private void allocate(int capacity) {
        keys = new Labels[capacity];
        if (type.isHistogram()) {
            objects = new Object[capacity];
        } else {
            numbers = new double[capacity];
        }
    }

    private static int capacityFor(int entries) {
        int capacity = MIN_CAPACITY;
        while (capacity * 3 < entries * 4 + 4) {
            capacity *= 2;
        }
        return capacity;
    }

    /** Label hashes are Arrays.hashCode of the encoding: mix the high bits in, as HashMap does. */
    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
