package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.HeldLabels;
import io.aggregationgateway.server.model.KnownSizes;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SeriesView;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
 * <p>Locking: pushes share {@link #structure}'s read lock, so any number run at once; operations
 * that remove series (reset, expiry, delete) take the write lock, which is why a push lands wholly
 * before or wholly after them. So does a push that could take a value past the largest double
 * (see {@link Overflow}), so that its check and its merge see the same values. Creating a family
 * takes {@link #familyCreation} so that two pushes cannot create one family with two types or two
 * families whose names collide. Scrapes see whole pushes through {@link PushEpochs}.
 *
 * <p>A push whose grouping labels name a source is a cumulative push: {@link Sources} turns it
 * into differences to that source's states, which are merged like any push, under the source's
 * lock (taken before the store's). A cumulative PUT that forgets gauge values of its source merges
 * under the write lock, since that may remove series.
 */
public final class Aggregator {
    private final ConcurrentHashMap<String, StoredFamily> families = new ConcurrentHashMap<>();
    // Every name a stored family puts into a scrape (ExposedNames), to that family.
    private final ConcurrentHashMap<ExposedNames.ExposedName, StoredFamily> exposedNames = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock structure = new ReentrantReadWriteLock();
    private final ReentrantLock familyCreation = new ReentrantLock();
    private final PushEpochs epochs = new PushEpochs();
    private final StoreBudget budget;
    private final EngineSettings settings;
    private final PushValidator validator;
    private final MetricAllowRules allowed;
    private final FamilySeriesCap familyCap;
    private final LongSupplier clockMillis;
    private final GaugeCells gaugeCells;
    private final Sources sources;
    private final HeldLabels heldLabels = name -> {
        StoredFamily family = families.get(name);
        return family == null ? Labels.Known.NONE : family.knownLabels();
    };

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
        this(settings, gaugeModes, sources, FamilyRules.NONE, clockMillis);
    }

    /**
     * @param gaugeModes  how each gauge and untyped family combines its values
     * @param sources     which pushes come from sources, and how long sources and how many states are kept
     * @param rules       which family names pushes may carry, and how many series one family may hold
     * @param clockMillis wall-clock time in milliseconds, used for expiry
     */
    public Aggregator(EngineSettings settings, GaugeModes gaugeModes, SourceSettings sources, FamilyRules rules,
                      LongSupplier clockMillis) {
        this.settings = settings;
        this.gaugeCells = new GaugeCells(gaugeModes, sources.enabled());
        this.validator = new PushValidator(settings, gaugeCells);
        this.budget = new StoreBudget(settings.maxSeries(), settings.maxStoreBytes());
        this.allowed = rules.allowed();
        this.familyCap = new FamilySeriesCap(rules.maxSeriesPerFamily());
        this.clockMillis = clockMillis;
        this.sources = new Sources(sources);
    }

    /**
     * The label sets of the stored series, family by family: a decoder that hands over a stored
     * series' own label set for a series it decodes builds none (see {@link Labels.Known}).
     */
    public HeldLabels heldLabels() {
        return heldLabels;
    }

    /** The limits this engine enforces; decoders enforce some of them early, too. */
    public EngineSettings settings() {
        return settings;
    }

    /**
     * The grouping labels that every series of a push to the group {@code grouping} carries once
     * merged, which a decoder may add while it builds each series' labels (so that they are built
     * once): the grouping labels, but for a group that names a source, without the source labels,
     * which come off its series.
     */
    public Labels seriesGrouping(Labels grouping) {
        if (sources.enabled() && sources.namesSource(grouping)) {
            return sources.stripped(grouping);
        }
        return grouping;
    }

    /**
     * Validates and applies one push. A delta push adds up, replacing or not; a cumulative push
     * updates its source's states of the series it carries, and when it replaces
     * ({@link Push#replace()}) forgets the source's states of series it lacks.
     *
     * @throws PushRejectedException when any part of the push is invalid or exceeds a limit; nothing was applied
     */
    public PushResult push(Push push) throws PushRejectedException {
        allowed.check(push);
        if (sources.enabled() && sources.namesSource(push.groupingLabels())) {
            return sources.push(push.groupingLabels(), validator.validate(sources.stripped(push)), push.replace(), this);
        }
        return apply(validator.validate(push), SourceCommit.NONE);
    }

    /**
     * Merges a validated push; {@code commit} says what a cumulative push adds (see {@link SourceCommit}).
     *
     * @throws PushRejectedException when the push does not fit the store; nothing was applied
     */
    PushResult apply(ValidatedPush valid, SourceCommit commit) throws PushRejectedException {
        boolean exclusive = commit.exclusive() || valid.magnitude() > Overflow.NEAR;
        while (true) {
            Lock lock = exclusive ? structure.writeLock() : structure.readLock();
            StoredFamily expired;
            lock.lock();
            try {
                expired = findExpiredObstacle(valid);
                if (expired == null) {
                    PushResult result = merge(valid, commit, exclusive);
                    if (result != null) {
                        return result;
                    }
                    exclusive = true; // it touches a value near overflow: check and merge alone
                    continue;
                }
            } finally {
                lock.unlock();
            }
            // The family in the way has expired: it is gone in all but the sweep, so sweep it now.
            structure.writeLock().lock();
            try {
                if (families.get(expired.name()) == expired && liveSeries(expired) == 0) {
                    removeFamily(expired);
                }
            } finally {
                structure.writeLock().unlock();
            }
        }
    }

    /**
     * Checks the push against the store and merges it, or returns {@code null} without changing
     * anything when it must run exclusively and does not.
     */
    private PushResult merge(ValidatedPush valid, SourceCommit commit, boolean exclusive) throws PushRejectedException {
        PushEpochs.Phase phase = epochs.enter();
        try {
            List<MetricFamily> toApply = valid.toApply();
            StoredFamily[] targets = new StoredFamily[toApply.size()];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = families.get(toApply.get(i).name());
            }
            checkTypes(valid.discarded());
            checkTypes(toApply);
            checkNames(valid, targets);
            SeriesKindCheck.check(toApply, families::get);
            if (exclusive) {
                checkOverflow(toApply, targets, commit.source());
            } else if (touchesNearOverflow(toApply, targets)) {
                return null;
            }
            familyCap.checkNewFamilies(toApply, targets);
            long[] inFamilies = familyCap.reserve(toApply, targets);
            Reservation reserved;
            try {
                reserved = reserve(valid, targets);
            } catch (PushRejectedException e) {
                familyCap.release(targets, inFamilies);
                throw e;
            }
            PushTally tally = new PushTally();
            try {
                createMissingFamilies(valid, targets, tally, inFamilies);
            } catch (PushRejectedException e) {
                budget.adjust(-reserved.series(), -reserved.bytes());
                familyCap.release(targets, inFamilies);
                throw e;
            }
            long now = clockMillis.getAsLong();
            for (int i = 0; i < targets.length; i++) {
                MetricFamily family = toApply.get(i);
                targets[i].add(family.series(), family.help(), now, commit.source(), phase.ledger(), tally,
                        valid.utf8LabelNames());
            }
            // Reserved as if every series were new and every histogram grew by its whole push: give back the rest.
            budget.adjust(tally.newSeries - reserved.series(), tally.bytes - reserved.bytes());
            commit.merged(targets);
            familyCap.release(targets, inFamilies);
            return new PushResult(toApply.size(), valid.seriesCount(), tally.newSeries);
        } finally {
            epochs.exit(phase);
        }
    }

    /** What a push reserved of the store's budget. */
    private record Reservation(long series, long bytes) {
    }

    /**
     * Reserves room for the series and bytes this push may add. Usually the whole
     * push fits even if every series and family were new, which costs no lookups; only near a limit
     * is what it adds counted.
     */
    private Reservation reserve(ValidatedPush valid, StoredFamily[] targets) throws PushRejectedException {
        if (budget.tryReserve(valid.seriesCount(), valid.bytesIfNew())) {
            return new Reservation(valid.seriesCount(), valid.bytesIfNew());
        }
        long series = 0;
        long bytes = 0;
        for (int i = 0; i < targets.length; i++) {
            MetricFamily family = valid.toApply().get(i);
            StoredFamily target = targets[i];
            if (target == null || (target.help().isEmpty() && !family.help().isEmpty())) {
                bytes += Footprint.ofFamily(family.name(), family.help());
            }
            for (Series s : family.series()) {
                SeriesCell cell = target == null ? null : target.cell(s.labels());
                if (cell == null) {
                    series++;
                    bytes += target == null ? gaugeCells.footprintOfNew(family, s) : target.footprintOfNew(s);
                } else {
                    bytes += cell.growthBound(s);
                }
            }
        }
        if (!budget.tryReserve(series, bytes)) {
            throw budget.refusal(series, bytes);
        }
        return new Reservation(series, bytes);
    }

    /**
     * Creates the families the push needs that the store lacks. Another push may have created some
     * since they were looked up, so types, names and the room in those families are checked again,
     * all before any is created.
     *
     * @param inFamilies the push's series reservations per family ({@link FamilySeriesCap}), taken
     *                   here for the families it finds or creates
     */
    private void createMissingFamilies(ValidatedPush valid, StoredFamily[] targets, PushTally tally, long[] inFamilies)
            throws PushRejectedException {
        if (allFound(targets)) {
            return;
        }
        List<MetricFamily> toApply = valid.toApply();
        familyCreation.lock();
        try {
            boolean[] missing = new boolean[targets.length];
            for (int i = 0; i < targets.length; i++) {
                missing[i] = targets[i] == null;
                targets[i] = families.get(toApply.get(i).name());
            }
            checkTypes(toApply);
            checkNames(valid, targets);
            for (int i = 0; i < targets.length; i++) {
                if (missing[i] && targets[i] != null) {
                    inFamilies[i] = familyCap.reserve(toApply.get(i), targets[i]);
                }
            }
            for (int i = 0; i < targets.length; i++) {
                if (targets[i] == null) {
                    MetricFamily f = toApply.get(i);
                    StoredFamily created = new StoredFamily(f.name(), f.type(), f.help(), gaugeCells.modeOf(f.name(), f.type()));
                    inFamilies[i] = familyCap.reserveInNew(f, created);
                    for (ExposedNames.ExposedName name : ExposedNames.of(f.name(), f.type())) {
                        exposedNames.put(name, created);
                    }
                    families.put(f.name(), created);
                    tally.bytes += created.footprint();
                    targets[i] = created;
                }
            }
        } finally {
            familyCreation.unlock();
        }
    }

    /** A loop, not a stream: this runs for every push, and every family is found in the steady state. */
    private static boolean allFound(StoredFamily[] targets) {
        for (StoredFamily target : targets) {
            if (target == null) {
                return false;
            }
        }
        return true;
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

    /**
     * Refuses families the store lacks (and summaries, which it never keeps) whose exposed names
     * collide with those of a stored family or of another new family of this push.
     */
    private void checkNames(ValidatedPush valid, StoredFamily[] targets) throws PushRejectedException {
        Map<ExposedNames.ExposedName, MetricFamily> claimed = null;
        for (int i = 0; i < targets.length + valid.discarded().size(); i++) {
            boolean summary = i >= targets.length;
            if (!summary && targets[i] != null) {
                continue; // stored already: its names were checked when it was created
            }
            MetricFamily family = summary ? valid.discarded().get(i - targets.length) : valid.toApply().get(i);
            if (claimed == null) {
                claimed = new HashMap<>();
            }
            for (ExposedNames.ExposedName name : ExposedNames.of(family.name(), family.type())) {
                for (ExposedNames.ExposedName rival : name.rivals()) {
                    // the one of the two that says in which scrapes they meet
                    ExposedNames.ExposedName shared = name.escaping() != null ? name : rival;
                    StoredFamily owner = exposedNames.get(rival);
                    if (owner != null && !owner.name().equals(family.name())) {
                        throw collision(family, owner.name(), owner.type(), shared, "the gateway holds");
                    }
                    MetricFamily other = claimed.get(rival);
                    if (other != null && other != family) {
                        throw collision(family, other.name(), other.type(), shared, "this push also carries");
                    }
                }
                claimed.put(name, family);
            }
        }
    }

    private static PushRejectedException collision(MetricFamily family, String otherName, MetricType otherType,
                                                   ExposedNames.ExposedName shared, String where) {
        return new PushRejectedException(RejectionReason.NAME_COLLISION,
                ExposedNames.collision(family.name(), family.type(), otherName, otherType, shared, where));
    }

    /** Whether the push adds to a stored value above {@link Overflow#NEAR}. */
    private static boolean touchesNearOverflow(List<MetricFamily> toApply, StoredFamily[] targets) {
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == null || !targets[i].nearOverflow()) {
                continue;
            }
            for (Series s : toApply.get(i).series()) {
                SeriesCell cell = targets[i].cell(s.labels());
                if (cell != null && cell.magnitude() > Overflow.NEAR) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Under the write lock: refuses the push if any sum would leave the finite doubles.
     *
     * @param source the source a cumulative push comes from, whose gauge values replace that source's, or {@link StoredFamily#NO_SOURCE}
     */
    private static void checkOverflow(List<MetricFamily> toApply, StoredFamily[] targets, int source)
            throws PushRejectedException {
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == null) {
                continue;
            }
            MetricFamily family = toApply.get(i);
            for (Series s : family.series()) {
                SeriesCell cell = targets[i].cell(s.labels());
                String overflow = cell == null ? null
                        : source != StoredFamily.NO_SOURCE && cell instanceof GaugeCell gauge ? gauge.overflowFromSource(source, s)
                        : cell.overflow(s);
                if (overflow != null) {
                    throw PushValidator.reject(RejectionReason.INVALID_VALUE, family, s.labels(), overflow);
                }
            }
        }
    }

    /** A stored family in the push's way (by type or by name) that has expired but is not yet swept. */
    private StoredFamily findExpiredObstacle(ValidatedPush valid) {
        if (!settings.expires()) {
            return null;
        }
        for (List<MetricFamily> list : List.of(valid.toApply(), valid.discarded())) {
            for (MetricFamily family : list) {
                StoredFamily stored = families.get(family.name());
                if (stored != null) {
                    if (stored.type() != family.type() && liveSeries(stored) == 0) {
                        return stored;
                    }
                    continue;
                }
                for (ExposedNames.ExposedName name : ExposedNames.of(family.name(), family.type())) {
                    for (ExposedNames.ExposedName rival : name.rivals()) {
                        StoredFamily owner = exposedNames.get(rival);
                        if (owner != null && !owner.name().equals(family.name()) && liveSeries(owner) == 0) {
                            return owner;
                        }
                    }
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
            exposedNames.clear();
            budget.clear();
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
                StoredFamily.Removed gone = family.removeIf(doomed);
                budget.adjust(-gone.series(), -gone.bytes());
                removed += gone.series();
                if (family.seriesCount() == 0) {
                    removeFamily(family);
                }
            }
            return removed;
        } finally {
            structure.writeLock().unlock();
        }
    }

    /** Under the write lock: drops a family and its series, freeing its names for any type. */
    private void removeFamily(StoredFamily family) {
        budget.adjust(-family.seriesCount(), -family.seriesFootprint() - family.footprint());
        families.remove(family.name(), family);
        for (ExposedNames.ExposedName name : ExposedNames.of(family.name(), family.type())) {
            exposedNames.remove(name, family);
        }
    }

    private long oldestLiveMillis() {
        return clockMillis.getAsLong() - settings.seriesTtl().toMillis();
    }

    private int liveSeries(StoredFamily family) {
        return live(family.sortedSeries()).length;
    }

    private SeriesCell[] live(SeriesCell[] cells) {
        if (!settings.expires()) {
            return cells;
        }
        long oldest = oldestLiveMillis();
        Predicate<SeriesCell> expired = cell -> cell.lastPushMillis() < oldest;
        if (Arrays.stream(cells).noneMatch(expired)) {
            return cells;
        }
        return Arrays.stream(cells).filter(expired.negate()).toArray(SeriesCell[]::new);
    }

    /**
     * The current families, sorted by name, each with its series sorted by labels, as of one
     * moment: every push that had finished when this was called is in it wholly, and no push is in
     * it in part. The values are copies, unchanged by later pushes. Expired series and families
     * without series are left out.
     */
    public List<FamilyView> families() {
        return families(null);
    }

    /**
     * {@link #families()}, with the values of large families read on {@code helpers} and this
     * thread at once: reading a million values is a cache miss each, and the scrape renders
     * nothing until they are read. {@code null}: this thread alone.
     */
    public List<FamilyView> families(Executor helpers) {
        structure.readLock().lock();
        try {
            return epochs.cut(ledger -> copy(ledger, helpers));
        } finally {
            structure.readLock().unlock();
        }
    }

    private List<FamilyView> copy(ValueLedger ledger, Executor helpers) {
        List<StoredFamily> current = new ArrayList<>(families.values());
        current.sort((a, b) -> a.name().compareTo(b.name()));
        List<FamilyView> out = new ArrayList<>(current.size());
        for (StoredFamily family : current) {
            StoredFamily.SortedSeries sorted = family.sorted();
            List<SeriesView> series = FrozenSeries.copy(family, live(sorted.cells()), ledger, helpers);
            if (!series.isEmpty()) {
                out.add(new FamilyView(family.name(), family.type(), family.help(), series, sorted.largestLabelBytes(),
                        family.utf8LabelNames(), sizesOf(sorted, series)));
            }
        }
        return out;
    }

    /**
     * What renderers kept about the sorted series, for a view of them all: the view holds a subset of
     * them in their order (expired series and series created while it was fixed left out), so one as
     * large holds them all. Any other view gets {@link KnownSizes#NONE}.
     */
    static KnownSizes sizesOf(StoredFamily.SortedSeries sorted, List<SeriesView> view) {
        return view.size() == sorted.cells().length ? sorted.sizes() : KnownSizes.NONE;
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
            SeriesCell[] cells = live(family.sortedSeries());
            long lastPush = Long.MIN_VALUE;
            for (SeriesCell cell : cells) {
                lastPush = Math.max(lastPush, cell.lastPushMillis());
            }
            if (cells.length > 0) {
                out.add(new FamilySummary(family.name(), family.type(), family.help(), cells.length, lastPush));
            }
        }
        return out;
    }

    /**
     * Everything the engine holds as plain values, as of one moment: every push is in it wholly
     * or not at all, and the sources' states agree with the sums they went into. Pushes wait while
     * the values are copied into arrays (no I/O, no object per counter: tens of milliseconds for a
     * million series) and go on while the caller reads the image and writes it out. Expired series
     * are left out.
     */
    public StoreImage image() {
        for (StoredFamily family : families.values()) {
            family.sorted(); // sort before the pause; only series created meanwhile are sorted in it
        }
        structure.writeLock().lock();
        try {
            long now = clockMillis.getAsLong();
            List<StoredFamily> current = new ArrayList<>(families.values());
            current.sort((a, b) -> a.name().compareTo(b.name()));
            List<FamilyImage> out = new ArrayList<>(current.size());
            for (StoredFamily family : current) {
                SeriesCell[] cells = live(family.sortedSeries()); // a cached array: never modified
                if (cells.length > 0) {
                    out.add(new FamilyImage(family.name(), family.type(), family.help(), family.gaugeMode(),
                            ImageList.ofCells(cells)));
                }
            }
            return new StoreImage(now, out, sources.labelNames(), sources.nextId(), sources.images());
        } finally {
            structure.writeLock().unlock();
        }
    }

    /**
     * Loads {@code image} into this engine, which must hold nothing and not serve yet. Families keep
     * the gauge mode they were stored with (as they keep their type) until a reset or expiry frees
     * them, except that a gauge family whose series simply added up becomes one of mode {@code sum}
     * with a delta part when sources are configured now. Sources come back only when the image's
     * source labels are this engine's: otherwise their keys would name other sources, so they are
     * dropped as if forgotten (their gauge values leave their series). Limits are not checked: a
     * store over them refuses new series until it is under them again. Series and sources the TTLs
     * would have removed by now are removed.
     *
     * @throws IllegalArgumentException when the image contradicts itself (a series twice, a gauge
     *                                  value of a family without a gauge mode, a state of the wrong kind);
     *                                  the engine is then empty
     */
    public RestoreSummary restore(StoreImage image) {
        List<SourceImage> restoredSources = sources.enabled() && new HashSet<>(image.sourceLabels())
                .equals(new HashSet<>(sources.labelNames())) ? image.sources() : List.of();
        Set<Integer> keptIds = new HashSet<>();
        restoredSources.forEach(source -> keptIds.add(source.id()));
        structure.writeLock().lock();
        try {
            if (!families.isEmpty() || sources.held() > 0) {
                throw new IllegalStateException("restore needs an empty engine");
            }
            for (FamilyImage f : image.families()) {
                if (families.containsKey(f.name())) {
                    throw new IllegalArgumentException("family " + f.name() + " appears twice");
                }
                if (f.type() == MetricType.SUMMARY) {
                    throw new IllegalArgumentException("family " + f.name() + " is a summary, which is never stored");
                }
                GaugeMode mode = f.gaugeMode();
                if (mode == null && sources.enabled() && (f.type() == MetricType.GAUGE || f.type() == MetricType.UNTYPED)) {
                    mode = GaugeMode.SUM; // sources need GaugeCells: their values must be able to leave the sum
                }
                if (mode != null && f.type() != MetricType.GAUGE && f.type() != MetricType.UNTYPED) {
                    throw new IllegalArgumentException("family " + f.name() + " of type " + f.type().textName()
                            + " has a gauge mode");
                }
                StoredFamily family = new StoredFamily(f.name(), f.type(), f.help(), mode, f.series().size());
                List<SeriesCell> cells = new ArrayList<>(f.series().size());
                long bytes = 0;
                ImageList series = f.series();
                for (int i = 0; i < series.size(); i++) {
                    SeriesCell cell;
                    if (series.isScalar(i)) { // the usual series: no record made
                        checkKind(f, false, series.labels(i));
                        cell = SeriesCell.restoreScalar(series.labels(i), series.lastPushMillis(i), series.startMillis(i),
                                series.scalar(i), mode);
                    } else {
                        SeriesImage s = series.get(i);
                        checkKind(f, !(s instanceof SeriesImage.Scalar || s instanceof SeriesImage.Gauge), s.labels());
                        cell = SeriesCell.restore(s, mode, keptIds::contains);
                    }
                    if (cell != null) {
                        cells.add(cell);
                        bytes += cell.footprint();
                    }
                }
                family.restore(cells);
                budget.adjust(cells.size(), bytes);
                if (family.seriesCount() == 0) {
                    continue;
                }
                for (ExposedNames.ExposedName name : ExposedNames.of(f.name(), f.type())) {
                    for (ExposedNames.ExposedName rival : name.rivals()) {
                        StoredFamily owner = exposedNames.get(rival);
                        if (owner != null && owner != family) {
                            throw new IllegalArgumentException(ExposedNames.collision(f.name(), f.type(), owner.name(),
                                    owner.type(), name.escaping() != null ? name : rival, "the snapshot also holds"));
                        }
                    }
                    exposedNames.put(name, family);
                }
                families.put(f.name(), family);
                budget.adjust(0, family.footprint());
            }
            sources.restore(restoredSources, image.nextSourceId(), this);
        } catch (RuntimeException e) {
            // leave the engine empty, as it was: the caller may start without the image
            families.clear();
            exposedNames.clear();
            budget.clear();
            sources.clear();
            throw e;
        } finally {
            structure.writeLock().unlock();
        }
        long expiredSeries = expire();
        long expiredSources = expireSources();
        return new RestoreSummary(familyCount(), seriesCount(), liveSources(), sourceStates(),
                image.sources().size() - restoredSources.size(), expiredSeries, expiredSources);
    }

    private static void checkKind(FamilyImage family, boolean histogram, Labels labels) {
        if (histogram != family.type().isHistogram()) {
            throw new IllegalArgumentException("family " + family.name() + " of type " + family.type().textName()
                    + " holds a series of the wrong kind: " + labels);
        }
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

    /** The gauge mode of a gauge or untyped family of this name: the first {@code --gauge-mode} rule matching it. */
    public GaugeMode gaugeModeOf(String family) {
        return gaugeCells.modes().modeOf(family);
    }

    /** Sources held, the live ones and any whose first push is under way. */
    int sourcesHeld() {
        return sources.held();
    }

    GaugeCells gaugeCells() {
        return gaugeCells;
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
            budget.adjust(-1, -cell.footprint());
            if (family.seriesCount() == 0) {
                removeFamily(family);
            }
        }
    }

    /** Series currently held, over all families (expired ones until they are swept). */
    public long seriesCount() {
        return budget.series();
    }

    /** Bytes of the store's budget in use: the estimated heap the stored families and series take. */
    public long storeBytes() {
        return budget.bytes();
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
