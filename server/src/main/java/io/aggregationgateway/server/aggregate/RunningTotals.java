package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;

import java.util.Arrays;

/**
 * The rule for cumulative pushes: a source pushes its running totals, and what it counted since
 * its previous push to a series is the difference to the value it pushed then (its baseline).
 * Totals only grow while the source runs, so a total below the baseline means the source
 * restarted and counted everything it pushes now since then.
 *
 * <ul>
 *   <li>Counter {@code v} over baseline {@code last}: {@code v - last}, or {@code v} when
 *       {@code v < last} (a restart).</li>
 *   <li>Classic histogram: per bucket, count and sum. Changed bucket bounds, a lower count, or a
 *       bucket holding fewer observations than before (its cumulative count minus the one below
 *       it) is a restart; the difference of the sums may be negative (observations can be).</li>
 *   <li>Native histogram: the baseline is first brought to the new value's schema and zero bucket,
 *       with the merge's own reduction and zero-bucket widening. A finer schema or a narrower zero
 *       bucket than the baseline's cannot hold the baseline's observations where they were, and is
 *       a restart, as is any negative difference (zero count, count, a bucket) and a baseline
 *       bucket that straddles the new zero threshold. Classic buckets that come along follow the
 *       classic rule; gaining or losing them is a restart.</li>
 * </ul>
 * On a restart the difference is the whole new value; so also when the difference of two sums is
 * not finite (huge sums of opposite signs), which the aggregate could not hold. Pure functions;
 * inputs are valid and normalised (as {@link PushValidator} leaves them) and never modified.
 */
final class RunningTotals {
    private RunningTotals() {
    }

    /** What a histogram source counted since its baseline, and whether it restarted. */
    record Increase<T>(T delta, boolean restart) {
    }

    /** Whether counter total {@code v} below baseline {@code last} means the source restarted. */
    static boolean counterRestarted(double last, double v) {
        return v < last;
    }

    /** What a counter source counted since its baseline. */
    static double counterIncrease(double last, double v) {
        return counterRestarted(last, v) ? v : v - last;
    }

    /** The baseline a classic histogram push leaves: its values without labels. */
    static HistogramValues baseline(ClassicHistogram h) {
        return new HistogramValues(h.upperBounds(), h.cumulativeCounts(), h.count(), h.sum());
    }

    /** What a classic histogram source counted since {@code last}; {@code now} as it is on a restart. */
    static Increase<ClassicHistogram> classicIncrease(HistogramValues last, ClassicHistogram now) {
        double[] lastCounts = last.cumulative();
        double[] nowCounts = now.cumulativeCounts();
        if (!Arrays.equals(last.bounds(), now.upperBounds()) || now.count() < last.count()) {
            return new Increase<>(now, true);
        }
        double[] delta = new double[nowCounts.length];
        for (int i = 0; i < nowCounts.length; i++) {
            delta[i] = nowCounts[i] - lastCounts[i];
            // the bucket's own observations (cumulative minus the bucket below) must not shrink
            if (delta[i] < 0 || (i > 0 && delta[i] < delta[i - 1])) {
                return new Increase<>(now, true);
            }
        }
        double sum = now.sum() - last.sum();
        if (!Double.isFinite(sum)) {
            return new Increase<>(now, true); // two huge sums of opposite signs: the difference would poison the sum
        }
        return new Increase<>(new ClassicHistogram(now.labels(), now.upperBounds(), delta,
                now.count() - last.count(), sum), false);
    }

    /** What a native histogram source counted since {@code last}; {@code now} as it is on a restart. */
    static Increase<NativeHistogram> nativeIncrease(NativeHistogram last, NativeHistogram now) {
        NativeHistogram restart = now;
        if (now.schema() > last.schema() || now.zeroThreshold() < last.zeroThreshold()) {
            return new Increase<>(restart, true);
        }
        int schema = now.schema();
        NativeBuckets positive = SparseBuckets.reduce(last.positive(), last.schema(), schema);
        NativeBuckets negative = SparseBuckets.reduce(last.negative(), last.schema(), schema);
        ZeroBucket zero = ZeroBucket.widen(new ZeroBucket(last.zeroThreshold(), last.zeroCount()), positive, negative,
                schema, now.zeroThreshold());
        if (zero.threshold() != now.zeroThreshold()) {
            return new Increase<>(restart, true); // a populated baseline bucket straddles the new threshold
        }
        positive = SparseBuckets.from(positive, schema, zero.threshold());
        negative = SparseBuckets.from(negative, schema, zero.threshold());
        NativeBuckets positiveDelta = SparseBuckets.add(now.positive(), negated(positive));
        NativeBuckets negativeDelta = SparseBuckets.add(now.negative(), negated(negative));
        double zeroDelta = now.zeroCount() - zero.count();
        double countDelta = now.count() - last.count();
        if (zeroDelta < 0 || countDelta < 0 || anyNegative(positiveDelta) || anyNegative(negativeDelta)) {
            return new Increase<>(restart, true);
        }
        double sum = now.sum() - last.sum();
        if (!Double.isFinite(sum)) {
            return new Increase<>(restart, true);
        }
        double inBuckets = zeroDelta + positiveDelta.total() + negativeDelta.total();
        double slack = now.floatCounts() || last.floatCounts() ? inBuckets * 1e-12 : 0;
        if (countDelta < inBuckets - slack) {
            return new Increase<>(restart, true); // fewer observations outside every bucket (NaN) than before
        }
        ClassicHistogram classic = null;
        if (now.classic() != null || last.classic() != null) {
            if (now.classic() == null || last.classic() == null) {
                return new Increase<>(restart, true);
            }
            Increase<ClassicHistogram> classicDelta = classicIncrease(baseline(last.classic()), now.classic());
            if (classicDelta.restart()) {
                return new Increase<>(restart, true);
            }
            classic = classicDelta.delta();
        }
        return new Increase<>(new NativeHistogram(now.labels(), schema, now.zeroThreshold(), zeroDelta, countDelta,
                sum, positiveDelta, negativeDelta, now.floatCounts(), classic), false);
    }

    private static NativeBuckets negated(NativeBuckets buckets) {
        if (buckets.isEmpty()) {
            return buckets;
        }
        double[] counts = new double[buckets.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = -buckets.counts()[i];
        }
        return new NativeBuckets(buckets.indices(), counts);
    }

    private static boolean anyNegative(NativeBuckets buckets) {
        for (double count : buckets.counts()) {
            if (count < 0) {
                return true;
            }
        }
        return false;
    }
}
