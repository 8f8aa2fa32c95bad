package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's two limits, series held and bytes held (see {@link Footprint}), counted exactly:
 * a push reserves what it may need before it creates anything, gives back what it did not use
 * once merged, and removals give back what the removed series took. So neither count can go
 * over its limit, however many pushes run at once.
 */
final class StoreBudget {
    private final long maxSeries;
    private final long maxBytes;
    private final AtomicLong series = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    StoreBudget(long maxSeries, long maxBytes) {
        this.maxSeries = maxSeries;
        this.maxBytes = maxBytes;
    }

    long series() {
        return series.get();
    }

    long bytes() {
        return bytes.get();
    }

    /** Reserves both or neither. */
    boolean tryReserve(long seriesNeeded, long bytesNeeded) {
        if (!tryAdd(series, seriesNeeded, maxSeries)) {
            return false;
        }
        if (!tryAdd(bytes, bytesNeeded, maxBytes)) {
            series.addAndGet(-seriesNeeded);
            return false;
        }
        return true;
    }

    /** After a merge: what it used instead of what it reserved (or, for a removal, minus what went). */
    void adjust(long seriesDelta, long bytesDelta) {
        series.addAndGet(seriesDelta);
        bytes.addAndGet(bytesDelta);
    }

    void clear() {
        series.set(0);
        bytes.set(0);
    }

    /** Why a push that needs this much more does not fit. */
    PushRejectedException refusal(long seriesNeeded, long bytesNeeded) {
        long heldSeries = series.get();
        if (heldSeries + seriesNeeded > maxSeries) {
            return new PushRejectedException(RejectionReason.LIMIT_EXCEEDED, "push refused: its " + seriesNeeded
                    + " new series would exceed the limit of " + maxSeries + " series (--max-series); the gateway holds "
                    + heldSeries + ". Existing series can still be pushed to.");
        }
        return new PushRejectedException(RejectionReason.LIMIT_EXCEEDED, "push refused: it needs about "
                + bytesNeeded + " bytes more of the store's memory, over its budget of " + maxBytes
                + " bytes (--max-store-bytes); the store holds about " + bytes.get()
                + ". Pushes to existing counters, gauges and classic histograms that bring no new buckets can still land.");
    }

    private static boolean tryAdd(AtomicLong counter, long amount, long limit) {
        long current;
        do {
            current = counter.get();
            if (current + amount > limit) {
                return false;
            }
        } while (!counter.compareAndSet(current, current + amount));
        return true;
    }
}
