package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The aggregation engine: validates a whole push, then merges it into the store atomically
 * (all of it or, when rejected, none of it). Thread-safe; pushes to different series never
 * wait for each other.
 *
 * <p>Locking: pushes share {@link #structure}'s read lock, so any number run at once; only
 * operations that remove series (reset, expiry, delete) take the write lock, which is why a
 * push lands wholly before or wholly after them. Creating a family takes {@link #familyCreation}
 * so that two pushes cannot create one family with two types.
 */
public final class Aggregator {
    private final ConcurrentHashMap<String, StoredFamily> families = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock structure = new ReentrantReadWriteLock();
    private final ReentrantLock familyCreation = new ReentrantLock();
    private final PushValidator validator;

    /** An engine that accepts every valid metric name. */
    public Aggregator() {
        this("");
    }

    /** @param reservedPrefix metric name prefix that pushes may not use (the gateway's own metrics) */
    public Aggregator(String reservedPrefix) {
        this.validator = new PushValidator(reservedPrefix);
    }

    /**
     * Validates and applies one push.
     *
     * @throws PushRejectedException when any part of the push is invalid; nothing was applied
     */
    public PushResult push(Push push) throws PushRejectedException {
        ValidatedPush valid = validator.validate(push);
        structure.readLock().lock();
        try {
            StoredFamily[] targets = resolveFamilies(valid);
            int created = 0;
            for (int i = 0; i < targets.length; i++) {
                MetricFamily family = valid.toApply().get(i);
                created += targets[i].add(family.series(), family.help());
            }
            return new PushResult(valid.toApply().size(), valid.seriesCount(), created);
        } finally {
            structure.readLock().unlock();
        }
    }

    /** Finds or creates the stored family for each family to apply; rejects on a type conflict before anything is applied. */
    private StoredFamily[] resolveFamilies(ValidatedPush valid) throws PushRejectedException {
        checkTypes(valid.discarded());
        List<MetricFamily> toApply = valid.toApply();
        StoredFamily[] targets = new StoredFamily[toApply.size()];
        boolean missing = false;
        for (int i = 0; i < targets.length; i++) {
            targets[i] = families.get(toApply.get(i).name());
            missing |= targets[i] == null;
        }
        if (missing) {
            familyCreation.lock();
            try {
                for (int i = 0; i < targets.length; i++) {
                    targets[i] = families.get(toApply.get(i).name());
                }
                checkTypes(toApply);
                for (int i = 0; i < targets.length; i++) {
                    if (targets[i] == null) {
                        MetricFamily f = toApply.get(i);
                        targets[i] = new StoredFamily(f.name(), f.type(), f.help());
                        families.put(f.name(), targets[i]);
                    }
                }
            } finally {
                familyCreation.unlock();
            }
        } else {
            checkTypes(toApply);
        }
        return targets;
    }

    private void checkTypes(List<MetricFamily> pushed) throws PushRejectedException {
        for (MetricFamily family : pushed) {
            StoredFamily stored = families.get(family.name());
            if (stored != null && stored.type() != family.type()) {
                throw new PushRejectedException(RejectionReason.TYPE_CONFLICT, "family " + family.name()
                        + ": pushed as " + family.type().textName() + " but the gateway holds it as "
                        + stored.type().textName());
            }
        }
    }

    /** Forgets every family and series. */
    public void reset() {
        structure.writeLock().lock();
        try {
            families.clear();
        } finally {
            structure.writeLock().unlock();
        }
    }

    /**
     * The current families, sorted by name, each with its series sorted by labels. Each series
     * reads consistently; families that have no series are left out.
     */
    public List<FamilySnapshot> snapshot() {
        List<StoredFamily> current = new ArrayList<>(families.values());
        current.sort((a, b) -> a.name().compareTo(b.name()));
        List<FamilySnapshot> out = new ArrayList<>(current.size());
        for (StoredFamily family : current) {
            SeriesCell[] cells = family.sortedSeries();
            if (cells.length > 0) {
                out.add(new FamilySnapshot(family.name(), family.type(), family.help(),
                        Collections.unmodifiableList(Arrays.asList(cells))));
            }
        }
        return out;
    }

    /** Series currently held, over all families. */
    public long seriesCount() {
        long n = 0;
        for (StoredFamily family : families.values()) {
            n += family.seriesCount();
        }
        return n;
    }

    /** Families currently holding at least one series. */
    public int familyCount() {
        int n = 0;
        for (StoredFamily family : families.values()) {
            n += family.seriesCount() > 0 ? 1 : 0;
        }
        return n;
    }
}
