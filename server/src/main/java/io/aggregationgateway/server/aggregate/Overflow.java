package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;

/**
 * Keeping sums finite. Two finite values can add up to infinity ({@code 1.7e308 + 1.7e308}), and a
 * series at {@code +Inf} stays there for good, so a push that would make any stored value infinite
 * is refused whole, like a push of a non-finite value.
 *
 * <p>Checking every series against its stored value before merging would cost a second lookup per
 * series and still race with concurrent pushes. Instead, values are split at {@link #NEAR}
 * ({@code 2^1000}, about {@code 1e301}):
 * <ul>
 *   <li>A push whose values are all at most {@code NEAR} in magnitude, to series whose stored values
 *       are at most {@code NEAR}, is merged concurrently with other pushes, unchecked: each such push
 *       adds at most {@code 2^1000} to a value, and even 2^23 of them in flight at once cannot carry
 *       a value from {@code 2^1000} past the largest double ({@code 2^1024}).</li>
 *   <li>Any other push (a value above {@code NEAR}, or a target series above it) runs alone, with the
 *       store's exclusive lock, and every sum is checked before anything is merged.</li>
 * </ul>
 * A family remembers that one of its series went above {@code NEAR} (the merge that took it there
 * says so at once), so only pushes to such families look their series up first. Histograms count by
 * their {@code _count} and {@code _sum}: every bucket count and zero count is at most the count.
 */
final class Overflow {
    static final double NEAR = 0x1p1000;

    private Overflow() {
    }

    /** The largest magnitude among a pushed series' values. */
    static double magnitude(Series series) {
        return switch (series) {
            case ScalarSample s -> Math.abs(s.value());
            case ClassicHistogram h -> Math.max(h.count() == null ? 0 : h.count(), h.sum() == null ? 0 : Math.abs(h.sum()));
            case NativeHistogram h -> Math.max(h.count(), Math.abs(h.sum()));
            case SummarySample s -> 0;
        };
    }

    /** What adding {@code pushed} to {@code stored} does, when it is no longer finite; else {@code null}. */
    static String check(String what, double stored, double pushed) {
        double sum = stored + pushed;
        return Double.isFinite(sum) ? null
                : what + "adding " + pushed + " to the stored " + stored + " would overflow to " + sum
                + " (sums must stay finite: at most " + Double.MAX_VALUE + " in magnitude)";
    }
}
