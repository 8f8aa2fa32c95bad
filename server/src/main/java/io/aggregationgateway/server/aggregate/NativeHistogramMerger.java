package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;

/**
 * The native-histogram rule: two histograms add up as Prometheus adds them in {@code sum()}
 * (its {@code FloatHistogram.Add}).
 *
 * <ul>
 *   <li>The result has the coarser (smaller) schema; the finer side's neighbouring buckets are
 *       merged to match it.</li>
 *   <li>The wider zero threshold wins. The other side's buckets below it are folded into its
 *       zero count, and where a populated bucket straddles the threshold the threshold moves
 *       up to that bucket's upper bound (on either side, until neither has such a bucket).</li>
 *   <li>Counts, sums, zero counts and buckets are added; a bucket missing on one side counts 0.
 *       Empty buckets are dropped, as Prometheus's {@code Compact(0)} drops them.</li>
 *   <li>An integer and a float histogram give a float histogram.</li>
 * </ul>
 *
 * <p>As in Prometheus, the side with the coarser schema receives (on a tie, the stored one)
 * and its zero bucket is widened at its own schema, the other's at the other's schema. One
 * deliberate difference: Prometheus then skips only those of the other side's (reduced)
 * buckets that lie wholly inside the zero bucket, so a reduced bucket that straddles the
 * threshold still carries observations already folded into the zero count, and they are counted
 * twice. Here the buckets that were folded are left out, so the result's buckets and zero count
 * always add up to what both sides held.
 *
 * <p>Classic buckets that come along are merged by the classic union rule; a side without them
 * takes part as the single bucket {@code +Inf} holding its count, which is what the union rule
 * makes of a histogram whose only bound is {@code +Inf}.
 */
final class NativeHistogramMerger {
    private static final double[] INF_ONLY = {Double.POSITIVE_INFINITY};

    private NativeHistogramMerger() {
    }

    /** The sum of a stored and a pushed histogram, both valid and normalised; neither is modified. */
    static NativeHistogram add(NativeHistogram stored, NativeHistogram pushed) {
        return add(stored, pushed, Writable.NONE);
    }

    /**
     * Which of a stored histogram's count arrays a merge may add into: those its owner made in an
     * earlier merge and has shown to no reader since. Each is that array, or {@code null}.
     */
    record Writable(double[] positive, double[] negative, double[] classic) {
        static final Writable NONE = new Writable(null, null, null);

        /**
         * What a merge's result {@code merged} of {@code stored} and {@code pushed} leaves writable for
         * the next merge, given what was writable before: an array the merge made (neither side's),
         * or one that was writable and kept. The pushed value's arrays may be held elsewhere.
         */
        static Writable after(NativeHistogram merged, NativeHistogram stored, NativeHistogram pushed, Writable before) {
            return new Writable(
                    own(merged.positive().counts(), stored.positive().counts(), pushed.positive().counts(), before.positive),
                    own(merged.negative().counts(), stored.negative().counts(), pushed.negative().counts(), before.negative),
                    merged.classic() == null ? null : own(merged.classic().cumulativeCounts(),
                            stored.classic() == null ? null : stored.classic().cumulativeCounts(),
                            pushed.classic() == null ? null : pushed.classic().cumulativeCounts(), before.classic));
        }

        private static double[] own(double[] merged, double[] stored, double[] pushed, double[] writable) {
            if (merged.length == 0 || merged == pushed) {
                return null;
            }
            return merged != stored || merged == writable ? merged : null;
        }
    }

    /**
     * {@link #add(NativeHistogram, NativeHistogram)}, adding into the stored histogram's count arrays
     * that {@code writable} names where the merge's result has the same buckets (the usual merge:
     * a push brings the buckets the series holds), so that it allocates no new arrays; the stored
     * value is then modified and must be shown to nobody. Bit for bit the same result either way.
     */
    static NativeHistogram add(NativeHistogram stored, NativeHistogram pushed, Writable writable) {
        boolean storedReceives = stored.schema() <= pushed.schema();
        NativeHistogram receiver = storedReceives ? stored : pushed;
        NativeHistogram other = storedReceives ? pushed : stored;
        int schema = receiver.schema();

        ZeroBucket receiverZero = new ZeroBucket(receiver.zeroThreshold(), receiver.zeroCount());
        NativeBuckets receiverPositive = receiver.positive();
        NativeBuckets receiverNegative = receiver.negative();
        ZeroBucket otherZero = new ZeroBucket(other.zeroThreshold(), other.zeroCount());
        boolean otherWidened = false;
        // Each widening can only move a threshold up to a bucket boundary, so this ends.
        while (otherZero.threshold() != receiverZero.threshold()) {
            if (receiverZero.threshold() > otherZero.threshold()) {
                // always from the other side's own zero bucket: widen() counts every folded bucket afresh
                otherZero = ZeroBucket.widen(new ZeroBucket(other.zeroThreshold(), other.zeroCount()),
                        other.positive(), other.negative(), other.schema(), receiverZero.threshold());
                otherWidened = true;
            }
            if (otherZero.threshold() > receiverZero.threshold()) {
                receiverZero = ZeroBucket.widen(receiverZero, receiverPositive, receiverNegative, schema,
                        otherZero.threshold());
                receiverPositive = SparseBuckets.from(receiverPositive, schema, receiverZero.threshold());
                receiverNegative = SparseBuckets.from(receiverNegative, schema, receiverZero.threshold());
            }
        }
        double threshold = receiverZero.threshold();
        NativeBuckets otherPositive = other.positive();
        NativeBuckets otherNegative = other.negative();
        if (otherWidened) {
            otherPositive = SparseBuckets.from(otherPositive, other.schema(), threshold);
            otherNegative = SparseBuckets.from(otherNegative, other.schema(), threshold);
        }
        // the stored side's own arrays, if it receives them unchanged by a wider zero bucket
        boolean intoPositive = receiverPositive == stored.positive() && writable.positive() == stored.positive().counts();
        boolean intoNegative = receiverNegative == stored.negative() && writable.negative() == stored.negative().counts();
        return new NativeHistogram(stored.labels(), schema, threshold,
                receiverZero.count() + otherZero.count(),
                stored.count() + pushed.count(),
                stored.sum() + pushed.sum(),
                SparseBuckets.add(receiverPositive, SparseBuckets.reduce(otherPositive, other.schema(), schema), intoPositive),
                SparseBuckets.add(receiverNegative, SparseBuckets.reduce(otherNegative, other.schema(), schema), intoNegative),
                stored.floatCounts() || pushed.floatCounts(),
                addClassic(stored, pushed, writable.classic()));
    }

    /**
     * A classic-only push added to a native series: only count, sum and the classic buckets
     * can take it. The engine refuses such pushes up front; this serves only the push that
     * raced another to create the series with the other kind.
     */
    static NativeHistogram addClassicOnly(NativeHistogram stored, ClassicHistogram pushed) {
        NativeHistogram asNative = new NativeHistogram(pushed.labels(), stored.schema(), stored.zeroThreshold(), 0,
                pushed.count(), pushed.sum(), NativeBuckets.EMPTY, NativeBuckets.EMPTY, false, pushed);
        return new NativeHistogram(stored.labels(), stored.schema(), stored.zeroThreshold(), stored.zeroCount(),
                stored.count() + pushed.count(), stored.sum() + pushed.sum(), stored.positive(), stored.negative(),
                stored.floatCounts(), addClassic(stored, asNative, null));
    }

    /** What a native histogram shows as a classic histogram: its classic buckets, or only {@code +Inf}. */
    static ClassicHistogram classicView(NativeHistogram h) {
        if (h.classic() != null) {
            return h.classic();
        }
        return new ClassicHistogram(h.labels(), INF_ONLY, new double[] {h.count()}, h.count(), h.sum());
    }

    private static ClassicHistogram addClassic(NativeHistogram stored, NativeHistogram pushed, double[] writable) {
        if (stored.classic() == null && pushed.classic() == null) {
            return null;
        }
        ClassicHistogram a = classicView(stored);
        ClassicHistogram b = classicView(pushed);
        // HistogramMerger may add into A's counts in place; stored values are shared with readers
        // unless their owner says otherwise
        double[] intoA = a.cumulativeCounts() == writable ? writable : a.cumulativeCounts().clone();
        HistogramMerger.Buckets merged = HistogramMerger.add(a.upperBounds(), intoA, b.upperBounds(), b.cumulativeCounts());
        return new ClassicHistogram(stored.labels(), merged.bounds(), merged.cumulative(),
                stored.count() + pushed.count(), stored.sum() + pushed.sum());
    }
}
