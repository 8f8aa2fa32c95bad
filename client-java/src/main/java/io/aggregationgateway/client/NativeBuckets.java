package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.BucketSpan;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Native histogram buckets between "bucket index to count" and metrics.proto's spans (runs of
 * consecutive indexes) with deltas (each count minus the previous bucket's count).
 */
final class NativeBuckets {
    private NativeBuckets() {
    }

    /**
     * @param indexes ascending bucket indexes
     * @param counts  the count of each bucket (not cumulative)
     */
    static void encode(int[] indexes, long[] counts, Consumer<BucketSpan> spans, LongConsumer deltas) {
        int i = 0;
        long previousCount = 0;
        int previousIndex = 0;
        while (i < indexes.length) {
            int start = i;
            // the first span's offset is its starting index, later ones the gap after the previous span
            int offset = start == 0 ? indexes[0] : indexes[start] - previousIndex - 1;
            do {
                deltas.accept(counts[i] - previousCount);
                previousCount = counts[i];
                previousIndex = indexes[i];
                i++;
            } while (i < indexes.length && indexes[i] == previousIndex + 1);
            spans.accept(BucketSpan.newBuilder().setOffset(offset).setLength(i - start).build());
        }
    }

    /** The inverse of {@link #encode}: bucket index to count, leaving out empty buckets. */
    static SortedMap<Integer, Long> decode(List<BucketSpan> spans, List<Long> deltas) {
        SortedMap<Integer, Long> buckets = new TreeMap<>();
        int spanEnd = 0; // where a span with offset 0 would start: right after the previous span
        long count = 0;
        int d = 0;
        for (BucketSpan span : spans) {
            int start = spanEnd + span.getOffset();
            for (int k = 0; k < span.getLength(); k++) {
                count += deltas.get(d++);
                if (count != 0) {
                    buckets.put(start + k, count);
                }
            }
            spanEnd = start + span.getLength();
        }
        return buckets;
    }

    /** {@link #encode} for a map of bucket index to count. */
    static void encode(SortedMap<Integer, Long> buckets, Consumer<BucketSpan> spans, LongConsumer deltas) {
        int[] indexes = new int[buckets.size()];
        long[] counts = new long[buckets.size()];
        int i = 0;
        for (var bucket : buckets.entrySet()) {
            indexes[i] = bucket.getKey();
            counts[i++] = bucket.getValue();
        }
        encode(indexes, counts, spans, deltas);
    }
}
