package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * One source's states in one family: for each series it pushed (by the series' labels, without
 * the source labels), the value it pushed last. Plain arrays, no object per state: the keys and
 * values are dense, in the order the states were added, and an open-addressing {@code int[]} of
 * positions finds a key by its hash. A state costs one reference and one {@code double} (counters,
 * gauges) or one reference to the value (histograms), plus 5 to 11 bytes of index: about 20 to 30
 * bytes with the arrays' free room. The keys are the stored series' own label sets, shared with the
 * aggregate.
 *
 * <p>A source pushes its series in the same order every time (a registry collects them so), so a
 * lookup first tries the position after the previous one: a hit there reads the arrays front to
 * back, where a hash lookup would fetch a line of memory per state. Positions stay valid until
 * {@link #removeIf}.
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
    private int[] index; // position + 1 of the key hashed there; 0: free
    private int next;    // where the next lookup looks first

    BaselineTable(MetricType type, int expected) {
        this.type = type;
        int capacity = Math.max(MIN_CAPACITY, expected);
        keys = new Labels[capacity];
        if (type.isHistogram()) {
            objects = new Object[capacity];
        } else {
            numbers = new double[capacity];
        }
        index = new int[indexCapacityFor(capacity)];
    }

    /** The family type its values are baselines of. */
    MetricType type() {
        return type;
    }

    int size() {
        return size;
    }

    /** The position of {@code key}, or -1. */
    int find(Labels key) {
        int guess = next;
        if (guess < size && sameKey(keys[guess], key)) {
            next = guess + 1;
            return guess;
        }
        int mask = index.length - 1;
        for (int i = spread(key.hashCode()) & mask; ; i = (i + 1) & mask) {
            int entry = index[i];
            if (entry == 0) {
                return -1;
            }
            if (sameKey(keys[entry - 1], key)) {
                next = entry;
                return entry - 1;
            }
        }
    }

    private static boolean sameKey(Labels stored, Labels key) {
        return stored == key || stored.equals(key);
    }

    double number(int position) {
        return numbers[position];
    }

    Object object(int position) {
        return objects[position];
    }

    void setNumber(int position, double value) {
        numbers[position] = value;
    }

    void setObject(int position, Object value) {
        objects[position] = value;
    }

    /** The key at {@code position}, {@code 0 <= position < size()}. */
    Labels key(int position) {
        return keys[position];
    }

    /** The states as plain values, copied now. */
    ImageList image() {
        return ImageList.ofStates(keys, numbers, objects, size);
    }

    /** Adds {@code key}, which must be absent, and returns its position. */
    int put(Labels key) {
        if (size == keys.length) {
            int grown = size + (size >> 1) + 1;
            keys = Arrays.copyOf(keys, grown);
            if (numbers != null) {
                numbers = Arrays.copyOf(numbers, grown);
            } else {
                objects = Arrays.copyOf(objects, grown);
            }
        }
        if ((size + 1) * 4 > index.length * 3) {
            index = new int[index.length * 2];
            for (int p = 0; p < size; p++) {
                insert(keys[p], p);
            }
        }
        keys[size] = key;
        insert(key, size);
        return size++;
    }

    private void insert(Labels key, int position) {
        int mask = index.length - 1;
        int i = spread(key.hashCode()) & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = position + 1;
    }

    /** Removes the states whose key {@code doomed} accepts, keeping the others in order; returns how many went. */
    int removeIf(Predicate<Labels> doomed) {
        int kept = 0;
        for (int p = 0; p < size; p++) {
            if (!doomed.test(keys[p])) {
                keys[kept] = keys[p];
                if (numbers != null) {
                    numbers[kept] = numbers[p];
                } else {
                    objects[kept] = objects[p];
                }
                kept++;
            }
        }
        int removed = size - kept;
        if (removed == 0) {
            return 0;
        }
        Arrays.fill(keys, kept, size, null);
        if (objects != null) {
            Arrays.fill(objects, kept, size, null);
        }
        size = kept;
        next = 0;
        index = new int[indexCapacityFor(Math.max(MIN_CAPACITY, kept))];
        for (int p = 0; p < size; p++) {
            insert(keys[p], p);
        }
        return removed;
    }

    private static int indexCapacityFor(int entries) {
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
