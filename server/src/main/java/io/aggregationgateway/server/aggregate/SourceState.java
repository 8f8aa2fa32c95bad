package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One source: the grouping labels that name it, an id its gauges know it by, its states (one
 * {@link BaselineTable} per family) and when it last pushed. Its lock serialises its pushes and
 * guards everything but the push time; it is always taken before the store's lock.
 */
final class SourceState {
    private static final long NEVER = Long.MIN_VALUE;
    private final Labels key;
    private final int id;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, BaselineTable> tables = new HashMap<>();
    private int states;
    // NEVER until its first push is merged; read without the lock by the expiry sweep
    private volatile long lastPushMillis = NEVER;
    private boolean forgotten;

    SourceState(Labels key, int id) {
        this.key = key;
        this.id = id;
    }

    /** The push's grouping labels, source labels included. */
    Labels key() {
        return key;
    }

    int id() {
        return id;
    }

    ReentrantLock lock() {
        return lock;
    }

    /** Its families' states, by family name; modified only under the lock. */
    Map<String, BaselineTable> tables() {
        return tables;
    }

    /** (series, source) states held, over all families. */
    int states() {
        return states;
    }

    void addStates(int delta) {
        states += delta;
    }

    long lastPushMillis() {
        return lastPushMillis;
    }

    void pushed(long nowMillis) {
        lastPushMillis = nowMillis;
    }

    /** Whether a push of it was merged since it was created. */
    boolean hasPushed() {
        return lastPushMillis != NEVER;
    }

    /** Whether it was forgotten (expired, deleted): a push that waited for its lock must look it up again. */
    boolean forgotten() {
        return forgotten;
    }

    void forget() {
        forgotten = true;
    }
}
