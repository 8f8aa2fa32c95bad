package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.Series;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Holds each family to at most {@code max} series. A push reserves room for the series it may
 * create in each family it touches before it changes anything, and gives the reservation back once
 * its series are in: a family's series plus its open reservations never exceed the limit, so
 * pushes racing into one family cannot together take it past the limit (near the limit, a racing
 * push may be refused that would have fitted a moment later).
 */
final class FamilySeriesCap {
    private final long max;

    FamilySeriesCap(long max) {
        this.max = max;
    }

    boolean enabled() {
        return max != Long.MAX_VALUE;
    }

    /**
     * Before any family is created: refuses a push that alone brings a family it would create
     * more series than the limit, so that such a refusal leaves no empty family behind.
     *
     * @param targets the stored family of each pushed one, {@code null} where the store lacks it
     */
    void checkNewFamilies(List<MetricFamily> toApply, StoredFamily[] targets) throws PushRejectedException {
        if (!enabled()) {
            return;
        }
        for (int i = 0; i < targets.length; i++) {
            MetricFamily family = toApply.get(i);
            if (targets[i] == null && family.series().size() > max) {
                throw refusal(family, family.series().size(), 0);
            }
        }
    }

    /**
     * Reserves room for the new series of each stored family; returns what was reserved per
     * family, for {@link #release}. Families the store lacks ({@code null}) are reserved in when
     * they are found or created. Nothing stays reserved when it throws.
     */
    long[] reserve(List<MetricFamily> toApply, StoredFamily[] targets) throws PushRejectedException {
        long[] reserved = new long[targets.length];
        if (!enabled()) {
            return reserved;
        }
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == null) {
                continue;
            }
            try {
                reserved[i] = reserve(toApply.get(i), targets[i]);
            } catch (PushRejectedException e) {
                release(targets, reserved);
                throw e;
            }
        }
        return reserved;
    }

    /** Reserves room in one stored family for the new series of {@code family}; returns how many. */
    long reserve(MetricFamily family, StoredFamily target) throws PushRejectedException {
        if (!enabled()) {
            return 0;
        }
        long all = family.series().size();
        if (tryReserve(target, all)) {
            return all;
        }
        long fresh = 0;
        for (Series series : family.series()) {
            fresh += target.holds(series.labels()) ? 0 : 1;
        }
        if (!tryReserve(target, fresh)) {
            throw refusal(family, fresh, target.seriesCount());
        }
        return fresh;
    }

    /**
     * Reserves room in a family this push creates, before other pushes can see it; always fits,
     * as {@link #checkNewFamilies} refused a push that brings such a family too many series.
     */
    long reserveInNew(MetricFamily family, StoredFamily created) {
        if (!enabled()) {
            return 0;
        }
        long all = family.series().size();
        created.pendingNewSeries().addAndGet(all);
        return all;
    }

    /** Gives back what {@link #reserve} took, once the push's series are in the families (or it failed). */
    void release(StoredFamily[] targets, long[] reserved) {
        for (int i = 0; i < targets.length; i++) {
            if (reserved[i] != 0) {
                targets[i].pendingNewSeries().addAndGet(-reserved[i]);
            }
        }
    }

    /**
     * Takes room for {@code count} series unless the family's series and open reservations leave
     * too little. The two are read one after the other, so the check is made again once the
     * reservation is in: between the first reads and the exchange, one push may have put its series
     * in and given its reservation back and another reserved as much, so that the exchange succeeds
     * on a stale series count (eight threads took a family limited to 50 series to 51 so). Read
     * reservations first, then series: a push gives its reservation back only after its series are
     * in, so it is counted one way or the other. Of pushes reserving at once, the last to check sees
     * all the others: near the limit more may be refused than needed, but never too many let in.
     */
    private boolean tryReserve(StoredFamily family, long count) {
        if (count == 0) {
            // a push of held series only: a racing push's series counted twice (in, and still
            // reserved) must not refuse it
            return true;
        }
        AtomicLong pending = family.pendingNewSeries();
        long current;
        do {
            current = pending.get();
            if (family.seriesCount() + current + count > max) {
                return false;
            }
        } while (!pending.compareAndSet(current, current + count));
        long reservedNow = pending.get(); // before the series count: see above
        if (family.seriesCount() + reservedNow > max) {
            pending.addAndGet(-count);
            return false;
        }
        return true;
    }

    private PushRejectedException refusal(MetricFamily family, long fresh, long held) {
        return new PushRejectedException(RejectionReason.LIMIT_EXCEEDED, "family " + family.name()
                + ": push refused: its " + fresh + " new series would exceed the limit of " + max
                + " series per family (--max-series-per-family); the family holds " + held
                + ". Existing series can still be pushed to.");
    }
}
