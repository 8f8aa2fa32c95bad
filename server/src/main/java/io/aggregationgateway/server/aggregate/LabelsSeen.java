package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;

/**
 * The label sets of one pushed family seen so far, to find a series pushed twice. An
 * open-addressing table on the sets' own hashes, sized once for the family: unlike a
 * {@code HashSet} it makes no entry object per series, and this runs for every pushed series.
 *
 * <p>The hashes are kept beside the slots, so that a probe passing a set of another hash reads
 * one int rather than that set (a stored series, elsewhere in memory, when the decoder handed over
 * the held one): a push's sets are compared only with the sets of their own hash.
 */
final class LabelsSeen {
    private final Labels[] slots;
    private final int[] hashes;
    private final int mask;

    /** @param expected how many label sets will be added at most */
    LabelsSeen(int expected) {
        // at most half full: probe sequences stay short
        int capacity = Integer.highestOneBit(Math.max(2, expected) * 2 - 1) << 1;
        slots = new Labels[capacity];
        hashes = new int[capacity];
        mask = capacity - 1;
    }

    /** Adds {@code labels}; false when an equal set was added before. */
    boolean add(Labels labels) {
        int h = labels.hashCode();
        for (int i = (h ^ (h >>> 16)) & mask; ; i = (i + 1) & mask) {
            Labels there = slots[i];
            if (there == null) {
                slots[i] = labels;
                hashes[i] = h;
                return true;
            }
            if (hashes[i] == h && there.equals(labels)) {
                return false;
            }
        }
    }
}
