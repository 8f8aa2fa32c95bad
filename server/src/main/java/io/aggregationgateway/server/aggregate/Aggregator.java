package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.SeriesView;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The aggregation engine: validates a whole push, then merges it into the store atomically
 * (all of it or, when rejected, none of it). Thread-safe; pushes to different series never
 * wait for each other.
 *
 * <p>Locking: pushes share {@link #structure}'s read lock, so any number run at once; only
 * operations that remove series (reset, expiry, delete) take the write lock, which is why a
 * push lands wholly before or wholly after them. Creating a family takes {@link #familyCreation}
 * so that two pushes cannot create one family with two types.
 *
 * <p>A push whose grouping labels name a source is a cumulative push: {@link Sources} turns it
 * into differences to that source's states, which are merged like any push, under the source's
 * lock (taken before the store's). A cumulative PUT that forgets gauge values of its source merges
 * under the write lock, since that may remove series.
 */
public final class Aggregator {
    private final ConcurrentHashMap<String, StoredFamily> families = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock structure = new ReentrantReadWriteLock();
    private final ReentrantLock familyCreation = new ReentrantLock();
    // Series held, exact: pushes reserve before they create, removals subtract under the write lock.
    private final AtomicLong seriesHeld = new AtomicLong();
    private final EngineSettings settings;
    private final PushValidator validator;
    private final LongSupplier clockMillis;
    private final GaugeModes gaugeModes;
    private final Sources sources;

    /** An engine without limits or expiry that accepts every valid metric name. */
    public Aggregator() {
        this("");
    }

    /** An engine without limits or expiry. */
    public Aggregator(String reservedPrefix) {
        this(EngineSettings.unlimited(reservedPrefix), System::currentTimeMillis);
    }

    /** @param clockMillis wall-clock time in milliseconds, used for expiry */
    public Aggregator(EngineSettings settings, LongSupplier clockMillis) {
        this(settings, GaugeModes.ALL_SUM, SourceSettings.NONE, clockMillis);
    }

    /**
     * @param gaugeModes how each gauge and untyped family combines its values
     * @param sources    which pushes come from sources, and how long sources and how many states are kept
     */
    public Aggregator(EngineSettings settings, GaugeModes gaugeModes, SourceSettings sources, LongSupplier clockMillis) {
        this.settings = settings;
        this.validator = new PushValidator(settings);
        this.clockMillis = clockMillis;
        this.gaugeModes = gaugeModes;
        this.sources = new Sources(sources);
    }

    /**
     * Validates and applies one push. A delta push adds up, replacing or not; a cumulative push
     * updates its source's states of the series it carries, and when it replaces
     * ({@link Push#replace()}) forgets the source's states of series it lacks.
     *
     * @throws PushRejectedException when any part of the push is invalid or exceeds a limit; nothing was applied
     */
    public PushResult push(Push push) throws PushRejectedException {
        if (sources.enabled() && sources.namesSource(push.groupingLabels())) {
            return sources.push(push.groupingLabels(), validator.validate(sources.stripped(push)), push.replace(), this);
        }
        return apply(validator.validate(push), SourceCommit.NONE);
    }

    /** Merges a validated push; {@code commit} says what a cumulative push adds (see {@link SourceCommit}). */
    PushResult apply(ValidatedPush valid, SourceCommit commit) throws PushRejectedException {
        while (true) {
            StoredFamily expiredConflict;
            Lock lock = commit.exclusive() ? structure.writeLock() : structure.readLock();
            lock.lock();
            try {
                expiredConflict = findExpiredTypeConflict(valid);
                if (expiredConflict == null) {
                    return merge(valid, commit);
                }
            } finally {
                lock.unlock();
            }
            // The family this push retypes has expired: it is gone in all but the sweep, so sweep it now.
            structure.writeLock().lock();
            try {
                if (families.get(expiredConflict.name()) == expiredConflict && liveSeries(expiredConflict) == 0) {
                    removeFamily(expiredConflict);
                }
            } finally {
                structure.writeLock().unlock();
            }
        }
    }

    private PushResult merge(ValidatedPush valid, SourceCommit commit) throws PushRejectedException {
        SeriesKindCheck.check(valid.toApply(), families::get);
        StoredFamily[] targets = resolveFamilies(valid);
        long reserved = reserveSeries(valid, targets);
        long now = clockMillis.getAsLong();
        int created = 0;
        for (int i = 0; i < targets.length; i++) {
            MetricFamily family = valid.toApply().get(i);
            created += targets[i].add(family.series(), family.help(), now, commit.source());
        }
        // Series counted as new may have been created meanwhile by another push: give those back.
        seriesHeld.addAndGet(created - reserved);
        commit.merged(targets);
        return new PushResult(valid.toApply().size(), valid.seriesCount(), created);
    }

    /**
     * Reserves room for the series this push may create. Usually the whole push fits even if
     * every series were new, which costs no lookups; only near the limit are the new ones counted.
     */
    private long reserveSeries(ValidatedPush valid, StoredFamily[] targets) throws PushRejectedException {
        if (tryReserve(valid.seriesCount())) {
            return valid.seriesCount();
        }
        long fresh = 0;
        for (int i = 0; i < targets.length; i++) {
            for (var series : valid.toApply().get(i).series()) {
                fresh += targets[i].holds(series.labels()) ? 0 : 1;
            }
        }
        if (!tryReserve(fresh)) {
            throw new PushRejectedException(RejectionReason.LIMIT_EXCEEDED, "push refused: its " + fresh
                    + " new series would exceed the limit of " + settings.maxSeries() + " series (--max-series); the gateway holds "
                    + seriesHeld.get() + ". Existing series can still be pushed to.");
        }
        return fresh;
    }

    private boolean tryReserve(long count) {
        long current;
        do {
            current = seriesHeld.get();
            if (current + count > settings.maxSeries()) {
                return false;
            }
        } while (!seriesHeld.compareAndSet(current, current + count));
        return true;
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
                        targets[i] = new StoredFamily(f.name(), f.type(), f.help(), gaugeCellMode(f.name(), f.type()));
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

    /** The mode a new family's GaugeCells have, or {@code null} when its series are plain sums or histograms. */
    private GaugeMode gaugeCellMode(String name, MetricType type) {
        if (type != MetricType.GAUGE && type != MetricType.UNTYPED) {
            return null;
        }
        GaugeMode mode = gaugeModes.modeOf(name);
        // sources need GaugeCells even to add up: their values leave the sum when they are forgotten
        return mode == GaugeMode.SUM && !sources.enabled() ? null : mode;
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

    private StoredFamily findExpiredTypeConflict(ValidatedPush valid) {
        if (!settings.expires()) {
            return null;
        }
        for (List<MetricFamily> list : List.of(valid.toApply(), valid.discarded())) {
            for (MetricFamily family : list) {
                StoredFamily stored = families.get(family.name());
                if (stored != null && stored.type() != family.type() && liveSeries(stored) == 0) {
                    return stored;
                }
            }
        }
        return null;
    }

    /** Forgets every family and series. */
    public void reset() {
        structure.writeLock().lock();
        try {
            families.clear();
            seriesHeld.set(0);
        } finally {
            structure.writeLock().unlock();
        }
    }

    /**
     * Forgets every series that carries all of {@code labels} (with the same values).
     *
     * @return how many series were removed
     */
    public long delete(Labels labels) {
        return removeSeries(cell -> cell.labels().containsAll(labels));
    }

    /**
     * Forgets a whole family and its series, freeing its name for any type.
     *
     * @return how many series were removed; 0 when no such family is held
     */
    public long deleteFamily(String name) {
        structure.writeLock().lock();
        try {
            StoredFamily family = families.get(name);
            if (family == null) {
                return 0;
            }
            long removed = family.seriesCount();
            removeFamily(family);
            return removed;
        } finally {
            structure.writeLock().unlock();
        }
    }

    /**
     * Forgets the series not pushed to within the series TTL, and families left empty.
     *
     * @return how many series were removed (0 when series do not expire)
     */
    public long expire() {
        if (!settings.expires()) {
            return 0;
        }
        long oldest = oldestLiveMillis();
        return removeSeries(cell -> cell.lastPushMillis() < oldest);
    }

    private long removeSeries(Predicate<SeriesCell> doomed) {
        structure.writeLock().lock();
        try {
            long removed = 0;
            for (StoredFamily family : families.values()) {
                removed += family.removeIf(doomed);
                if (family.seriesCount() == 0) {
                    removeFamily(family);
                }
            }
            seriesHeld.addAndGet(-removed);
            return removed;
        } finally {
            structure.writeLock().unlock();
        }
    }

    /** Under the write lock: drops a family and its series, freeing its name for any type. */
    private void removeFamily(StoredFamily family) {
        seriesHeld.addAndGet(-family.seriesCount());
        families.remove(family.name(), family);
    }

    private long oldestLiveMillis() {
        return clockMillis.getAsLong() - settings.seriesTtl().toMillis();
    }

    private int liveSeries(StoredFamily family) {
        return live(family.sortedSeries()).length;
    }

    private SeriesView[] live(SeriesView[] cells) {
        if (!settings.expires()) {
            return cells;
        }
        long oldest = oldestLiveMillis();
        Predicate<SeriesView> expired = cell -> ((SeriesCell) cell).lastPushMillis() < oldest;
        if (Arrays.stream(cells).noneMatch(expired)) {
            return cells;
        }
        return Arrays.stream(cells).filter(expired.negate()).toArray(SeriesView[]::new);
    }

    /**
     * The current families, sorted by name, each with its series sorted by labels: live views of
     * the stored series (each reads consistently, see {@link SeriesView}). Expired series and
     * families without series are left out.
     */
    public List<FamilyView> families() {
        List<StoredFamily> current = new ArrayList<>(families.values());
        current.sort((a, b) -> a.name().compareTo(b.name()));
        List<FamilyView> out = new ArrayList<>(current.size());
        for (StoredFamily family : current) {
            SeriesView[] cells = live(family.sortedSeries());
            if (cells.length > 0) {
                out.add(new FamilyView(family.name(), family.type(), family.help(),
                        Collections.unmodifiableList(Arrays.asList(cells))));
            }
        }
        return out;
    }

    /**
     * The current families sorted by name, with how many live series each holds and when it was
     * last pushed to; like {@link #families()}, expired series and empty families are left out.
     */
    public List<FamilySummary> familySummaries() {
        List<StoredFamily> current = new ArrayList<>(families.values());
        current.sort((a, b) -> a.name().compareTo(b.name()));
        List<FamilySummary> out = new ArrayList<>(current.size());
        for (StoredFamily family : current) {
            SeriesView[] cells = live(family.sortedSeries());
            long lastPush = Long.MIN_VALUE;
            for (SeriesView cell : cells) {
                lastPush = Math.max(lastPush, ((SeriesCell) cell).lastPushMillis());
            }
            if (cells.length > 0) {
                out.add(new FamilySummary(family.name(), family.type(), family.help(), cells.length, lastPush));
            }
        }
        return out;
    }

    /** Whether {@code group} (a delete's labels) names sources: it carries every source label. */
    public boolean namesSources(Labels group) {
        return sources.enabled() && sources.namesSource(group);
    }

    /**
     * Forgets every source whose grouping labels include all of {@code group}: its gauge values
     * leave their series (a series nothing else holds goes), its states go; what it added to
     * counters and histograms stays.
     *
     * @return how many sources were forgotten
     */
    public long forgetSources(Labels group) {
        return sources.forget(group, this);
    }

    /**
     * Forgets the sources that have not pushed within the source TTL, as {@link #forgetSources} does.
     *
     * @return how many expired (0 when sources do not expire)
     */
    public long expireSources() {
        return sources.expire(this);
    }

    /** Sources that pushed and are not forgotten. */
    public long liveSources() {
        return sources.liveSources();
    }

    /** (series, source) states held. */
    public long sourceStates() {
        return sources.states();
    }

    /** Sources forgotten by the source TTL since start. */
    public long sourceExpiries() {
        return sources.expiries();
    }

    /** (series, source) pushes that showed a restarted source (a counter below its last value, ...), since start. */
    public long sourceRestarts() {
        return sources.restarts();
    }

    /** For each family live sources push, how many do and their states; sorted by family name. */
    public List<SourceFamilySummary> sourceSummaries() {
        return sources.familySummaries();
    }

    /** Sources held, the live ones and any whose first push is under way. */
    int sourcesHeld() {
        return sources.held();
    }

    long nowMillis() {
        return clockMillis.getAsLong();
    }

    StoredFamily storedFamily(String name) {
        return families.get(name);
    }

    /** Runs {@code action} under the store's write lock: nothing merges meanwhile. */
    void exclusively(Runnable action) {
        structure.writeLock().lock();
        try {
            action.run();
        } finally {
            structure.writeLock().unlock();
        }
    }

    /** Under the write lock: removes a gauge series its last source left (and its family, left empty). */
    void removeEmptied(StoredFamily family, SeriesCell cell) {
        if (!structure.isWriteLockedByCurrentThread()) {
            throw new IllegalStateException("series are removed only under the store's write lock");
        }
        if (family.remove(cell)) {
            seriesHeld.decrementAndGet();
            if (family.seriesCount() == 0) {
                removeFamily(family);
            }
        }
    }

    /** Series currently held, over all families (expired ones until they are swept). */
    public long seriesCount() {
        return seriesHeld.get();
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
