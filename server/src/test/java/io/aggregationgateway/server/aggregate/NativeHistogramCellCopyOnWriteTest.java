package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.NativeHistogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

import static io.aggregationgateway.server.aggregate.NativeHistogramBuilder.describe;
import static io.aggregationgateway.server.aggregate.NativeHistogramBuilder.nh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A native histogram cell adds a push into the count arrays of its value when no reader holds
 * that value: what every reader was given must stay as it was, the cell must hold what the
 * allocating merge gives, and a pushed value must never be written.
 *
 * <p>The base seed is random per run and printed on failure; rerun one with
 * {@code -Dnative.seed=<seed>}.
 */
class NativeHistogramCellCopyOnWriteTest {
    private static final int ITERATIONS = 400;
    private static final double[] BOUNDS = {0.5, 1, 2, Double.POSITIVE_INFINITY};

    /** The ways a value leaves the cell, each with a text of what the reader got. */
    private static final List<Function<NativeHistogramCell, Supplier<String>>> READS = List.of(
            cell -> text(cell.read()),
            cell -> text((NativeHistogram) cell.capture()),
            cell -> text(((SeriesImage.Native) cell.image()).value()),
            cell -> {
                HistogramValues classic = cell.readClassic();
                return () -> Arrays.toString(classic.bounds()) + Arrays.toString(classic.cumulative());
            });

    @Test
    void repeatedMergesAddIntoTheArraysTheCellMadeAndNoOneWasShown() {
        NativeHistogram stored = withClassic(nh(3).pos(1, 2, 2, 1, 5, 4).build(), 1, 7);
        NativeHistogram push = withClassic(nh(3).pos(1, 1, 2, 1, 5, 1).build(), 0, 3);
        String pushText = describe(push);
        NativeHistogramMerger.Writable writable = NativeHistogramMerger.Writable.NONE;
        NativeHistogram merged = NativeHistogramMerger.add(stored, push, writable);
        assertNotSame(stored.positive().counts(), merged.positive().counts(), "the first value is the push's: copied");
        writable = NativeHistogramMerger.Writable.after(merged, stored, push, writable);
        for (int i = 0; i < 3; i++) {
            NativeHistogram next = NativeHistogramMerger.add(merged, push, writable);
            assertSame(merged.positive().counts(), next.positive().counts());
            assertSame(merged.classic().cumulativeCounts(), next.classic().cumulativeCounts());
            writable = NativeHistogramMerger.Writable.after(next, merged, push, writable);
            merged = next;
        }
        assertEquals("integer schema=3 zt=0.0 zc=0.0 count=19.0 sum=0.0 pos={1:6.0, 2:5.0, 5:8.0} neg={}"
                + " classic=[0.5, Infinity][1.0, 19.0]", describe(merged));
        assertEquals(pushText, describe(push));
        // a push with a bucket the series lacks: a new array, which the next merge may write again
        NativeHistogram wider = withClassic(nh(3).pos(3, 1).build(), 0, 1);
        NativeHistogram next = NativeHistogramMerger.add(merged, wider, writable);
        assertNotSame(merged.positive().counts(), next.positive().counts());
        assertSame(next.positive().counts(), NativeHistogramMerger.Writable.after(next, merged, wider, writable).positive());
    }

    @Test
    void whatAReaderWasGivenStaysAsItWas() {
        NativeHistogramCell cell = new NativeHistogramCell(withClassic(nh(3).pos(1, 2, 5, 4).build(), 1, 6), 0);
        NativeHistogram push = withClassic(nh(3).pos(1, 1, 5, 1).build(), 0, 2);
        cell.add(push, new PushTally());
        cell.add(push, new PushTally());
        NativeHistogram shown = cell.read();
        String before = describe(shown);
        cell.add(push, new PushTally());
        cell.add(push, new PushTally());
        assertEquals(before, describe(shown));
        assertEquals("integer schema=3 zt=0.0 zc=0.0 count=14.0 sum=0.0 pos={1:6.0, 5:8.0} neg={}"
                + " classic=[0.5, Infinity][1.0, 14.0]", describe(cell.read()));
    }

    @Test
    void randomPushesAndReads() {
        long base = Long.getLong("native.seed", new Random().nextLong());
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = base + i;
            try {
                check(new Random(seed));
            } catch (Throwable t) {
                fail("failed with seed " + seed + " (-Dnative.seed=" + seed + "): " + t, t);
            }
        }
    }

    /** One cell, random pushes and reads, against the merge that allocates every time. */
    private static void check(Random random) {
        NativeHistogram expected = randomPush(random, 0);
        NativeHistogramCell cell = new NativeHistogramCell(expected, 0);
        List<Supplier<String>> shown = new ArrayList<>();
        List<String> shownThen = new ArrayList<>();
        List<NativeHistogram> pushes = new ArrayList<>(List.of(expected)); // the first value is a push's too
        List<String> pushedThen = new ArrayList<>(List.of(describe(expected)));
        for (int step = random.nextInt(30); step > 0; step--) {
            if (random.nextInt(4) == 0) {
                Supplier<String> read = READS.get(random.nextInt(READS.size())).apply(cell);
                shown.add(read);
                shownThen.add(read.get());
            } else {
                NativeHistogram pushed = randomPush(random, random.nextInt(8) == 0 ? 1 : 0);
                pushes.add(pushed);
                pushedThen.add(describe(pushed));
                cell.add(pushed, new PushTally());
                expected = NativeHistogramMerger.add(expected, pushed);
            }
        }
        for (int i = 0; i < shown.size(); i++) {
            assertEquals(shownThen.get(i), shown.get(i).get(), "a value shown to a reader was written");
        }
        for (int i = 0; i < pushes.size(); i++) {
            assertEquals(pushedThen.get(i), describe(pushes.get(i)), "a pushed value was written");
        }
        assertEquals(describe(expected), describe(cell.read()));
    }

    private static Supplier<String> text(NativeHistogram h) {
        return () -> describe(h);
    }

    /**
     * A valid, normalised push: mostly the same few buckets with random counts, now and then
     * another bucket, another schema ({@code coarser} 1: one less), a wider zero bucket, or no
     * classic buckets.
     */
    private static NativeHistogram randomPush(Random random, int coarser) {
        List<double[]> positive = new ArrayList<>();
        for (int index = -2; index <= 6; index++) {
            boolean usual = index % 2 == 0;
            if (usual ? random.nextInt(8) != 0 : random.nextInt(10) == 0) {
                positive.add(new double[] {index, 1 + random.nextInt(5)});
            }
        }
        double[] pairs = new double[2 * positive.size()];
        for (int i = 0; i < positive.size(); i++) {
            pairs[2 * i] = positive.get(i)[0];
            pairs[2 * i + 1] = positive.get(i)[1];
        }
        NativeHistogramBuilder b = nh(3 - coarser).pos(pairs).sum(random.nextInt(10));
        if (random.nextInt(3) == 0) {
            b.neg(1, 1 + random.nextInt(3));
        }
        if (random.nextInt(12) == 0) {
            b.zero(0x1p-128 * (1 + random.nextInt(2)), random.nextInt(2));
        }
        NativeHistogram h = b.build();
        return random.nextInt(5) == 0 ? h : withClassic(h, random.nextInt(2), h.count());
    }

    /** {@code h} with the normalised classic buckets {@code le=0.5: low, +Inf: count}. */
    private static NativeHistogram withClassic(NativeHistogram h, double low, double count) {
        ClassicHistogram classic = new ClassicHistogram(Labels.EMPTY, new double[] {BOUNDS[0], BOUNDS[3]},
                new double[] {Math.min(low, count), count}, count, h.sum());
        return new NativeHistogram(h.labels(), h.schema(), h.zeroThreshold(), h.zeroCount(), h.count(), h.sum(),
                h.positive(), h.negative(), h.floatCounts(), classic);
    }
}
