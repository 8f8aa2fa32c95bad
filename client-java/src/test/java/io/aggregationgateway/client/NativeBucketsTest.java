package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.BucketSpan;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NativeBucketsTest {

    @Test
    void spansAreRunsOfConsecutiveIndexesAndDeltasRunAcrossThem() {
        List<BucketSpan> spans = new ArrayList<>();
        List<Long> deltas = new ArrayList<>();
        NativeBuckets.encode(new TreeMap<>(Map.of(-2, 1L, -1, 3L, 4, 2L)), spans::add, deltas::add);
        assertEquals(List.of(span(-2, 2), span(4, 1)), spans); // second offset: gap after index -1 up to 4
        assertEquals(List.of(1L, 2L, -1L), deltas);
    }

    @Test
    void decodeInvertsEncode() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            SortedMap<Integer, Long> buckets = new TreeMap<>();
            for (int i = 0, n = random.nextInt(20); i < n; i++) {
                buckets.put(random.nextInt(60) - 30, 1L + random.nextInt(1000));
            }
            List<BucketSpan> spans = new ArrayList<>();
            List<Long> deltas = new ArrayList<>();
            NativeBuckets.encode(buckets, spans::add, deltas::add);
            assertEquals(buckets, NativeBuckets.decode(spans, deltas));
        }
    }

    private static BucketSpan span(int offset, int length) {
        return BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
    }
}
