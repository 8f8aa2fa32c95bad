package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.NativeBuckets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * {@link SparseBuckets#add}: named cases, then random sides against a map-based sum, and its one-pass
 * merge against the general one.
 */
class SparseBucketsTest {

    static Stream<Arguments> additions() {
        return Stream.of(
                arguments("the pushed buckets are a subset of the stored ones",
                        buckets(new int[] {1, 2, 5}, 1, 2, 3), buckets(new int[] {2, 5}, 10, 20),
                        buckets(new int[] {1, 2, 5}, 1, 12, 23)),
                arguments("the pushed side's empty buckets, inside and beyond the stored range",
                        buckets(new int[] {1, 2}, 1, 2), buckets(new int[] {0, 2, 3, 9}, 0, 5, 0, 0),
                        buckets(new int[] {1, 2}, 1, 7)),
                arguments("new buckets before, between and after",
                        buckets(new int[] {2, 4}, 1, 1), buckets(new int[] {-1, 3, 7}, 2, 3, 4),
                        buckets(new int[] {-1, 2, 3, 4, 7}, 2, 1, 3, 1, 4)),
                arguments("an empty bucket only the pushed side lists, next to a new one",
                        buckets(new int[] {2}, 1), buckets(new int[] {1, 3}, 0, 4),
                        buckets(new int[] {2, 3}, 1, 4)),
                arguments("counts that cancel out leave their bucket out",
                        buckets(new int[] {1, 2}, 1.5, 2), buckets(new int[] {1}, -1.5),
                        buckets(new int[] {2}, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("additions")
    void adds(String description, NativeBuckets a, NativeBuckets b, NativeBuckets expected) {
        int[] aIndices = a.indices().clone();
        double[] aCounts = a.counts().clone();
        NativeBuckets sum = SparseBuckets.add(a, b);
        assertArrayEquals(expected.indices(), sum.indices(), description);
        assertArrayEquals(expected.counts(), sum.counts(), description);
        assertArrayEquals(aIndices, a.indices(), "inputs are never modified");
        assertArrayEquals(aCounts, a.counts(), "inputs are never modified");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("additions")
    void sharesTheStoredIndicesExactlyWhenTheyAreTheResult(String description, NativeBuckets a, NativeBuckets b,
                                                          NativeBuckets expected) {
        NativeBuckets sum = SparseBuckets.add(a, b);
        assertNotSame(a.counts(), sum.counts());
        if (Arrays.equals(a.indices(), expected.indices())) {
            assertSame(a.indices(), sum.indices(), description);
        } else {
            assertNotSame(a.indices(), sum.indices(), description);
        }
    }

    @org.junit.jupiter.api.Test
    void randomSidesAddUpAsAMapWould() {
        Random random = new Random(20);
        for (int iteration = 0; iteration < 2_000; iteration++) {
            TreeMap<Integer, Double> a = randomSide(random, false);
            // an empty side is returned as it is: the other is a normalised value, without empty buckets
            TreeMap<Integer, Double> b = randomSide(random, !a.isEmpty());
            TreeMap<Integer, Double> expected = new TreeMap<>(a);
            b.forEach((index, count) -> expected.merge(index, count, Double::sum));
            expected.values().removeIf(count -> count == 0);
            NativeBuckets sum = SparseBuckets.add(of(a), of(b));
            assertEquals(expected, asMap(sum), "a=" + a + " b=" + b);
        }
    }

    /**
     * The one-pass merge into the stored side's indices is the general merge walk wherever it
     * applies: the same buckets and bit for bit the same counts, on any input (cancelling, negative
     * and empty counts on either side included), and it applies to most pushes that bring buckets
     * the stored side holds.
     */
    @org.junit.jupiter.api.Test
    void theOnePassMergeIntoTheStoredIndicesGivesWhatTheGeneralMergeGives() {
        Random random = new Random(21);
        int intoStoredIndices = 0;
        for (int iteration = 0; iteration < 5_000; iteration++) {
            NativeBuckets a = of(anySide(random, new TreeMap<>()));
            TreeMap<Integer, Double> pushed = new TreeMap<>();
            if (random.nextBoolean()) { // mostly buckets the stored side holds, as repeated pushes bring
                for (int i = 0; i < a.size(); i++) {
                    if (random.nextInt(4) != 0) {
                        pushed.put(a.indices()[i], anyCount(random));
                    }
                }
            }
            NativeBuckets b = of(anySide(random, pushed));
            if (a.isEmpty() || b.isEmpty()) {
                continue; // returned as they are, before either merge
            }
            NativeBuckets general = SparseBuckets.addAnyIndices(a, b);
            NativeBuckets sum = SparseBuckets.add(a, b);
            String inputs = "a=" + asMap(a) + " b=" + asMap(b);
            assertArrayEquals(general.indices(), sum.indices(), inputs);
            assertArrayEquals(general.counts(), sum.counts(), inputs);
            intoStoredIndices += sum.indices() == a.indices() ? 1 : 0;
        }
        assertTrue(intoStoredIndices > 300, intoStoredIndices + " merges took the one-pass path");
    }

    /**
     * The merge into the stored side's own counts gives the allocating merge's result bit for bit,
     * on any input; it writes only into {@code a}'s counts, only when both sides have the same
     * buckets, and returns {@code a} unless a sum was 0; a side it may not write is never written.
     */
    @org.junit.jupiter.api.Test
    void theMergeIntoTheStoredCountsGivesWhatTheAllocatingMergeGives() {
        Random random = new Random(22);
        int inPlace = 0;
        for (int iteration = 0; iteration < 5_000; iteration++) {
            NativeBuckets a = of(anySide(random, new TreeMap<>()));
            TreeMap<Integer, Double> pushed = new TreeMap<>();
            int choice = random.nextInt(3);
            if (choice > 0) { // the stored side's buckets, all of them (as repeated pushes bring) or some
                for (int i = 0; i < a.size(); i++) {
                    if (choice == 1 || random.nextInt(4) != 0) {
                        pushed.put(a.indices()[i], anyCount(random));
                    }
                }
            }
            NativeBuckets b = of(choice == 1 ? pushed : anySide(random, pushed));
            double[] aBefore = a.counts().clone();
            double[] bBefore = b.counts().clone();
            NativeBuckets expected = SparseBuckets.add(new NativeBuckets(a.indices(), aBefore.clone()), b);
            String inputs = "a=" + asMap(a) + " b=" + asMap(b);

            NativeBuckets notWritable = SparseBuckets.add(a, b, false);
            assertArrayEquals(aBefore, a.counts(), inputs);
            assertArrayEquals(expected.indices(), notWritable.indices(), inputs);
            assertArrayEquals(expected.counts(), notWritable.counts(), inputs);

            NativeBuckets sum = SparseBuckets.add(a, b, true);
            assertArrayEquals(expected.indices(), sum.indices(), inputs);
            assertArrayEquals(expected.counts(), sum.counts(), inputs);
            assertArrayEquals(bBefore, b.counts(), inputs);
            if (sum == a) {
                inPlace++;
            } else if (!Arrays.equals(a.indices(), b.indices())) {
                assertArrayEquals(aBefore, a.counts(), inputs);
            }
        }
        assertTrue(inPlace > 500, inPlace + " merges added into the stored counts");
    }

    /** {@code side} plus a few random buckets, any count: positive, empty, negative, cancelling. */
    private static TreeMap<Integer, Double> anySide(Random random, TreeMap<Integer, Double> side) {
        for (int i = random.nextInt(random.nextInt(3) == 0 ? 2 : 10); i > 0; i--) {
            side.put(random.nextInt(16) - 4, anyCount(random));
        }
        return side;
    }

    private static double anyCount(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> 0.0;
            case 1 -> -(1 + random.nextInt(3));
            case 2 -> 0.1 * random.nextInt(5);
            default -> 1 + random.nextInt(3);
        };
    }

    /** A stored side holds only populated buckets; a pushed one may list empty ones. */
    private static TreeMap<Integer, Double> randomSide(Random random, boolean withEmpty) {
        TreeMap<Integer, Double> side = new TreeMap<>();
        int size = random.nextInt(8);
        for (int i = 0; i < size; i++) {
            side.put(random.nextInt(12) - 3, withEmpty && random.nextInt(3) == 0 ? 0.0 : 1 + random.nextInt(5));
        }
        return side;
    }

    private static NativeBuckets of(TreeMap<Integer, Double> side) {
        return new NativeBuckets(side.keySet().stream().mapToInt(Integer::intValue).toArray(),
                side.values().stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static TreeMap<Integer, Double> asMap(NativeBuckets buckets) {
        TreeMap<Integer, Double> map = new TreeMap<>();
        for (int i = 0; i < buckets.size(); i++) {
            map.put(buckets.indices()[i], buckets.counts()[i]);
        }
        return map;
    }

    private static NativeBuckets buckets(int[] indices, double... counts) {
        return new NativeBuckets(indices, counts);
    }
}
