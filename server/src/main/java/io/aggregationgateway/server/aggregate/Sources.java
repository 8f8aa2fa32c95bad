package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Cumulative pushes: the sources the engine knows and their states.
 *
 * <p>A push whose grouping labels include every source label comes from the source those grouping
 * labels name (all of them: {@code /metrics/job/api/instance/pod-7} is one source, {@code job/batch/instance/pod-7}
 * another). Its series are stored without the source labels, so many sources add up to one series. Per
 * (series, source) the source's last value is its state. A push turns into the differences to the
 * states ({@link RunningTotals}) for counters and histograms, and into per-source values for gauges
 * and untyped ({@link GaugeCell}); those go through the engine's ordinary merge, with its checks and
 * limits, and the new states are written only once the merge succeeded. So a refused push changes
 * no state, and sending the same push again adds nothing.
 *
 * <p>{@code PUT} replaces a source's whole state: its states of series the push lacks are forgotten.
 * Forgetting a state (so also a source that expired or was deleted) takes its gauge values out of
 * their series; what it added to counters and histograms stays. A series' state is forgotten only
 * that way: a reset or a deleted series keeps its sources' counter states, so their next pushes add
 * what they counted since, not their whole totals again.
 *
 * <p>Locking: a source's lock, then the store's (see {@link Aggregator}).
 */
final class Sources {
    private final SourceSettings settings;
    private final SourceLabels labels;
    private final ConcurrentHashMap<Labels, SourceState> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final AtomicLong statesHeld = new AtomicLong();
    private final AtomicLong live = new AtomicLong();
    private final LongAdder expiries = new LongAdder();
    private final LongAdder restarts = new LongAdder();

    Sources(SourceSettings settings) {
        this.settings = settings;
        this.labels = new SourceLabels(settings.labelNames());
    }

    boolean enabled() {
        return settings.enabled();
    }

    List<String> labelNames() {
        return settings.labelNames();
    }

    /** Whether labels that name a group (a push's grouping labels, a delete's) name a source: they hold every source label. */
    boolean namesSource(Labels grouping) {
        return labels.allIn(grouping);
    }

    /** Labels without the source labels. */
    Labels stripped(Labels grouping) {
        return labels.strip(grouping);
    }

    /** The push with the source labels taken off its grouping labels and its series. */
    Push stripped(Push push) {
        List<MetricFamily> families = new ArrayList<>(push.families().size());
        for (MetricFamily family : push.families()) {
            List<Series> series = null;
            for (int i = 0; i < family.series().size(); i++) {
                Series s = family.series().get(i);
                Labels kept = labels.strip(s.labels());
                if (kept != s.labels()) {
                    if (series == null) {
                        series = new ArrayList<>(family.series());
                    }
                    series.set(i, s.withLabels(kept));
                }
            }
            families.add(series == null ? family : new MetricFamily(family.name(), family.type(), family.help(), series));
        }
        // a decoder that built the grouping labels in left the source labels out (Aggregator#seriesGrouping)
        return new Push(labels.strip(push.groupingLabels()), families, push.replace(), labels.strip(push.groupingInSeries()));
    }

    /**
     * Merges a validated cumulative push from the source {@code key}.
     *
     * @param valid   the push as validated, without the source labels
     * @param replace whether it replaces ({@link Push#replace()}): the source's states of series it lacks are forgotten
     */
    PushResult push(Labels key, ValidatedPush valid, boolean replace, Aggregator store) throws PushRejectedException {
        checkNoGaugeHistograms(valid);
        while (true) {
            SourceState state = byKey.computeIfAbsent(key, k -> new SourceState(k, nextId.getAndIncrement()));
            state.lock().lock();
            try {
                if (!state.forgotten()) {
                    return pushLocked(state, valid, replace, store);
                }
            } finally {
                state.lock().unlock();
            }
        }
    }

    private PushResult pushLocked(SourceState state, ValidatedPush valid, boolean replace, Aggregator store)
            throws PushRejectedException {
        Plan plan = new Plan(state, valid, replace, store);
        boolean reserved = false;
        try {
            reserve(plan.newStates);
            reserved = true;
            return store.apply(plan.differences(), plan);
        } catch (PushRejectedException | RuntimeException e) {
            if (reserved) {
                statesHeld.addAndGet(-plan.newStates);
            }
            if (!state.hasPushed()) {
                state.forget(); // its first push was refused: no trace of it stays
                byKey.remove(state.key(), state);
            }
            throw e;
        }
    }

    private void reserve(long count) throws PushRejectedException {
        if (count == 0) {
            return; // the usual push: every state known
        }
        long current;
        do {
            current = statesHeld.get();
            if (current + count > settings.maxStates()) {
                throw new PushRejectedException(RejectionReason.LIMIT_EXCEEDED, "push refused: its " + count
                        + " new (series, source) states would exceed the limit of " + settings.maxStates()
                        + " (--max-source-series); the gateway holds " + current
                        + ". Series this source pushed before can still be pushed.");
            }
        } while (!statesHeld.compareAndSet(current, current + count));
    }

    private static void checkNoGaugeHistograms(ValidatedPush valid) throws PushRejectedException {
        for (MetricFamily family : valid.toApply()) {
            if (family.type() == MetricType.GAUGE_HISTOGRAM) {
                throw new PushRejectedException(RejectionReason.INVALID_VALUE, "family " + family.name()
                        + ": a gaugehistogram cannot come in a cumulative push (one whose grouping labels name a source):"
                        + " its values go up and down, so they cannot be told apart from restarts;"
                        + " push it without the source labels, where it is added as pushed");
            }
        }
    }

    /**
     * Forgets the sources whose grouping labels include all of {@code group}: their gauge values
     * leave their series, their states go; what they added to counters and histograms stays.
     *
     * @return how many sources were forgotten
     */
    long forget(Labels group, Aggregator store) {
        long forgotten = 0;
        for (SourceState state : byKey.values()) {
            if (state.key().containsAll(group) && forgetIf(state, store, s -> true)) {
                forgotten++;
            }
        }
        return forgotten;
    }

    /**
     * Forgets the sources that have not pushed within the source TTL.
     *
     * @return how many expired
     */
    long expire(Aggregator store) {
        if (!settings.expires()) {
            return 0;
        }
        long oldest = store.nowMillis() - settings.ttl().toMillis();
        long expired = 0;
        for (SourceState state : byKey.values()) {
            if (state.hasPushed() && state.lastPushMillis() < oldest
                    && forgetIf(state, store, s -> s.hasPushed() && s.lastPushMillis() < oldest)) {
                expired++;
            }
        }
        expiries.add(expired);
        return expired;
    }

    private boolean forgetIf(SourceState state, Aggregator store, Predicate<SourceState> still) {
        state.lock().lock();
        try {
            if (state.forgotten() || !still.test(state)) {
                return false;
            }
            store.exclusively(() -> {
                for (Map.Entry<String, BaselineTable> e : state.tables().entrySet()) {
                    forgetGauges(state, e.getKey(), e.getValue(), key -> true, store);
                }
                state.forget(); // here, so that an image taken under the write lock never sees it half forgotten
            });
            statesHeld.addAndGet(-state.states());
            if (state.hasPushed()) {
                live.decrementAndGet();
            }
            byKey.remove(state.key(), state);
            return true;
        } finally {
            state.lock().unlock();
        }
    }

    private static boolean isGauge(BaselineTable table) {
        return table.type() == MetricType.GAUGE || table.type() == MetricType.UNTYPED;
    }

    /** Takes {@code state}'s values out of the gauge series of {@code table} whose labels {@code doomed} accepts; under the store's exclusive lock. */
    private static void forgetGauges(SourceState state, String family, BaselineTable table,
                                     Predicate<Labels> doomed, Aggregator store) {
        if (!isGauge(table)) {
            return;
        }
        StoredFamily stored = store.storedFamily(family);
        if (stored == null || stored.type() != table.type()) {
            return; // the family was deleted (and maybe pushed anew): its gauges went with it
        }
        for (int position = 0; position < table.size(); position++) {
            Labels key = table.key(position);
            if (doomed.test(key) && stored.cell(key) instanceof GaugeCell gauge
                    && gauge.forgetSource(state.id())) {
                store.removeEmptied(stored, gauge);
            }
        }
    }

    /** Sources held: the live ones and any whose first push is under way. */
    int held() {
        return byKey.size();
    }

    /** Sources that pushed and are not forgotten. */
    long liveSources() {
        return live.get();
    }

    /** (series, source) states held. */
    long states() {
        return statesHeld.get();
    }

    /** Sources forgotten because they did not push within the TTL, since start. */
    long expiries() {
        return expiries.sum();
    }

    /** (series, source) states whose push showed that the source had restarted, since start. */
    long restarts() {
        return restarts.sum();
    }

    /**
     * The sources that pushed and are not forgotten, as plain values. The caller holds the store's
     * write lock: every source's states are then as its last merged push left them (they change only
     * inside a merge, see {@link Plan#merged}), so they agree with the aggregate.
     */
    List<SourceImage> images() {
        List<SourceImage> out = new ArrayList<>(byKey.size());
        for (SourceState state : byKey.values()) {
            if (state.forgotten() || !state.hasPushed()) {
                continue;
            }
            List<SourceImage.Table> tables = new ArrayList<>(state.tables().size());
            state.tables().forEach((family, table) -> {
                if (table.size() > 0) {
                    tables.add(new SourceImage.Table(family, table.type(), table.image()));
                }
            });
            tables.sort((a, b) -> a.family().compareTo(b.family()));
            out.add(new SourceImage(state.key(), state.id(), state.lastPushMillis(), tables));
        }
        out.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return out;
    }

    /** The id the next new source gets. */
    int nextId() {
        return nextId.get();
    }

    /**
     * Restores sources into an engine that holds none, before it serves; their keys must name
     * sources by this engine's source labels. A baseline's labels become the stored series' own
     * when the series is held, as a push would have shared them.
     *
     * @param nextSourceId the id the next new source gets, at least
     * @throws IllegalArgumentException when a source or state appears twice, or a baseline does not fit its table's type
     */
    void restore(List<SourceImage> images, int nextSourceId, Aggregator store) {
        int next = nextSourceId;
        Set<Integer> ids = new HashSet<>();
        for (SourceImage image : images) {
            if (!labels.allIn(image.key())) {
                throw new IllegalArgumentException("source " + image.key() + " lacks a source label");
            }
            if (!ids.add(image.id())) {
                throw new IllegalArgumentException("source id " + image.id() + " appears twice");
            }
            SourceState state = new SourceState(image.key(), image.id());
            for (SourceImage.Table t : image.tables()) {
                if (state.tables().containsKey(t.family())) {
                    throw new IllegalArgumentException("source " + image.key() + " has two tables for family " + t.family());
                }
                state.tables().put(t.family(), restoreTable(t, store.storedFamily(t.family())));
                state.addStates(t.baselines().size());
            }
            state.pushed(image.lastPushMillis());
            if (byKey.putIfAbsent(image.key(), state) != null) {
                throw new IllegalArgumentException("source " + image.key() + " appears twice");
            }
            statesHeld.addAndGet(state.states());
            live.incrementAndGet();
            next = Math.max(next, image.id() + 1);
        }
        nextId.set(next);
    }

    /** Forgets every source and count: after a restore that failed, in an engine that does not serve yet. */
    void clear() {
        byKey.clear();
        statesHeld.set(0);
        live.set(0);
        nextId.set(0);
    }

    private static BaselineTable restoreTable(SourceImage.Table image, StoredFamily stored) {
        BaselineTable table = new BaselineTable(image.type(), image.baselines().size());
        boolean sameFamily = stored != null && stored.type() == image.type();
        for (SeriesImage baseline : image.baselines()) {
            Labels key = baseline.labels();
            if (table.find(key) >= 0) {
                throw new IllegalArgumentException("family " + image.family() + " has two states for " + key);
            }
            SeriesCell cell = sameFamily ? stored.cell(key) : null;
            int position = table.put(cell == null ? key : cell.labels());
            switch (baseline) {
                case SeriesImage.Scalar s when !image.type().isHistogram() -> table.setNumber(position, s.value());
                case SeriesImage.Classic h when image.type().isHistogram() -> table.setObject(position, h.values());
                case SeriesImage.Native h when image.type().isHistogram() -> table.setObject(position, h.value());
                default -> throw new IllegalArgumentException("family " + image.family() + " of type "
                        + image.type().textName() + " has a state of the wrong kind for " + key);
            }
        }
        return table;
    }

    /**
     * For each family that live sources push: how many do, and their states; sorted by family. A
     * family deleted and pushed anew with another type shows once per type while sources still
     * hold states of the old one (until their next push of it).
     */
    List<SourceFamilySummary> familySummaries() {
        Map<String, Map<MetricType, long[]>> byFamily = new TreeMap<>();
        for (SourceState state : byKey.values()) {
            state.lock().lock();
            try {
                if (state.forgotten() || !state.hasPushed()) {
                    continue;
                }
                state.tables().forEach((family, table) -> {
                    if (table.size() > 0) {
                        long[] counts = byFamily.computeIfAbsent(family, f -> new EnumMap<>(MetricType.class))
                                .computeIfAbsent(table.type(), t -> new long[2]);
                        counts[0]++;
                        counts[1] += table.size();
                    }
                });
            } finally {
                state.lock().unlock();
            }
        }
        List<SourceFamilySummary> out = new ArrayList<>(byFamily.size());
        byFamily.forEach((family, byType) -> byType.forEach((type, counts) ->
                out.add(new SourceFamilySummary(family, type, (int) counts[0], counts[1]))));
        return out;
    }

    /**
     * One cumulative push, worked out against its source's states under the source's lock: the
     * differences to merge, where each new state goes, what a PUT forgets. {@link #merged} writes
     * it all once the store merged the differences.
     */
    private final class Plan implements SourceCommit {
        private final SourceState state;
        private final ValidatedPush valid;
        private final boolean replace;
        private final Aggregator store;
        private final long nowMillis;
        private final List<MetricFamily> differences;
        // per family of the push: its table when it can be used, and each series' position in it (-1: new)
        private final BaselineTable[] tables;
        private final int[][] positions;
        private final Object[][] baselines; // histogram families: each series' new baseline
        private final long newStates;
        private final int restartsSeen;
        private final boolean exclusive;

        Plan(SourceState state, ValidatedPush valid, boolean replace, Aggregator store) {
            this.state = state;
            this.valid = valid;
            this.replace = replace;
            this.store = store;
            this.nowMillis = store.nowMillis();
            List<MetricFamily> families = valid.toApply();
            this.differences = new ArrayList<>(families.size());
            this.tables = new BaselineTable[families.size()];
            this.positions = new int[families.size()][];
            this.baselines = new Object[families.size()][];
            long fresh = 0;
            int restarted = 0;
            boolean forgetsGauges = false;
            Set<String> pushedFamilies = replace ? new HashSet<>() : null;
            for (int f = 0; f < families.size(); f++) {
                MetricFamily family = families.get(f);
                BaselineTable table = state.tables().get(family.name());
                if (table != null && table.type() != family.type()) {
                    table = null; // the family was pushed with another type before: start afresh
                }
                tables[f] = table;
                List<Series> series = family.series();
                int[] familyPositions = new int[series.size()];
                Object[] familyBaselines = family.type().isHistogram() ? new Object[series.size()] : null;
                List<Series> changes = new ArrayList<>(series.size());
                boolean counter = family.type() == MetricType.COUNTER;
                int hits = 0;
                for (int i = 0; i < series.size(); i++) {
                    Series s = series.get(i);
                    int position = table == null ? -1 : table.find(s.labels());
                    familyPositions[i] = position;
                    if (position < 0) {
                        fresh++;
                    } else {
                        hits++;
                    }
                    Series change = s; // gauges and untyped go as they are: their cells keep a value per source
                    if (counter && position >= 0) {
                        double last = table.number(position);
                        double total = ((ScalarSample) s).value();
                        if (RunningTotals.counterRestarted(last, total)) {
                            restarted++;
                        } else {
                            // the stored series' own labels: the merge then finds its cell by identity
                            change = new ScalarSample(table.key(position), total - last);
                        }
                    } else if (familyBaselines != null) {
                        RunningTotals.Increase<? extends Series> increase = histogramIncrease(s, table, position);
                        familyBaselines[i] = s instanceof ClassicHistogram h ? RunningTotals.baseline(h)
                                : ((NativeHistogram) s).withLabels(Labels.EMPTY);
                        change = increase.delta();
                        restarted += increase.restart() ? 1 : 0;
                    }
                    changes.add(change);
                }
                positions[f] = familyPositions;
                baselines[f] = familyBaselines;
                differences.add(new MetricFamily(family.name(), family.type(), family.help(), changes));
                if (replace) {
                    pushedFamilies.add(family.name());
                    BaselineTable held = state.tables().get(family.name());
                    forgetsGauges |= held != null && isGauge(held) && held.size() > hits;
                }
            }
            if (replace) {
                for (Map.Entry<String, BaselineTable> e : state.tables().entrySet()) {
                    forgetsGauges |= !pushedFamilies.contains(e.getKey()) && isGauge(e.getValue()) && e.getValue().size() > 0;
                }
            }
            this.newStates = fresh;
            this.restartsSeen = restarted;
            this.exclusive = forgetsGauges;
        }

        /** What a histogram source counted since its state at {@code position} (-1: none, the whole value). */
        private static RunningTotals.Increase<? extends Series> histogramIncrease(Series pushed, BaselineTable table, int position) {
            Object last = position < 0 ? null : table.object(position);
            if (pushed instanceof ClassicHistogram h) {
                return last instanceof HistogramValues values ? RunningTotals.classicIncrease(values, h)
                        : new RunningTotals.Increase<>(h, last != null); // a state of the other kind: a restart
            }
            NativeHistogram h = (NativeHistogram) pushed;
            return last instanceof NativeHistogram values ? RunningTotals.nativeIncrease(values, h)
                    : new RunningTotals.Increase<>(h, last != null);
        }

        ValidatedPush differences() {
            return valid.withValues(differences, store.gaugeCells());
        }

        @Override
        public int source() {
            return state.id();
        }

        @Override
        public boolean exclusive() {
            return exclusive;
        }

        @Override
        public void merged(StoredFamily[] targets) {
            List<MetricFamily> families = valid.toApply();
            Map<String, Set<Labels>> pushed = replace ? new HashMap<>() : null;
            for (int f = 0; f < families.size(); f++) {
                MetricFamily family = families.get(f);
                BaselineTable table = tables[f];
                if (table == null) {
                    BaselineTable dropped = state.tables().get(family.name()); // of another type, if any
                    if (dropped != null) {
                        state.addStates(-dropped.size());
                        statesHeld.addAndGet(-dropped.size());
                    }
                    table = new BaselineTable(family.type(), family.series().size());
                    state.tables().put(family.name(), table);
                }
                List<Series> series = family.series();
                int[] familyPositions = positions[f];
                int added = 0;
                for (int i = 0; i < series.size(); i++) {
                    int position = familyPositions[i];
                    if (position < 0) {
                        Labels pushedLabels = series.get(i).labels();
                        SeriesCell cell = targets[f].cell(pushedLabels);
                        // the stored series' own labels: one copy for the aggregate and every source
                        position = table.put(cell == null ? pushedLabels : cell.labels());
                        added++;
                    }
                    write(table, position, series.get(i), baselines[f], i);
                }
                state.addStates(added);
                if (replace && table.size() > series.size()) {
                    Set<Labels> keep = new HashSet<>(series.size() * 2);
                    series.forEach(s -> keep.add(s.labels()));
                    pushed.put(family.name(), keep);
                } else if (replace) {
                    pushed.put(family.name(), null); // holds exactly what was pushed
                }
            }
            if (replace) {
                forgetUnpushed(pushed);
            }
            restarts.add(restartsSeen);
            if (!state.hasPushed()) {
                live.incrementAndGet();
            }
            state.pushed(nowMillis);
        }

        private void write(BaselineTable table, int position, Series pushed, Object[] familyBaselines, int i) {
            if (familyBaselines != null) {
                table.setObject(position, familyBaselines[i]);
            } else {
                table.setNumber(position, ((ScalarSample) pushed).value());
            }
        }

        /** A PUT's end: forgets the states of series it lacks; {@code pushed} maps each family it carried to its series, or to null when nothing else is held. */
        private void forgetUnpushed(Map<String, Set<Labels>> pushed) {
            List<String> emptied = new ArrayList<>();
            for (Map.Entry<String, BaselineTable> e : state.tables().entrySet()) {
                String family = e.getKey();
                BaselineTable table = e.getValue();
                if (pushed.containsKey(family) && pushed.get(family) == null) {
                    continue;
                }
                Set<Labels> keep = pushed.get(family);
                Predicate<Labels> doomed = keep == null ? key -> true : key -> !keep.contains(key);
                forgetGauges(state, family, table, doomed, store);
                int removed = table.removeIf(doomed);
                state.addStates(-removed);
                statesHeld.addAndGet(-removed);
                if (table.size() == 0) {
                    emptied.add(family);
                }
            }
            emptied.forEach(state.tables()::remove);
        }
    }
}
