package io.aggregationgateway.server.selfmetrics;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The gateway's own metrics, all named {@code aggregation_gateway_*} (a prefix pushes may not
 * use): pushes by format and result, rejections by reason, bytes received, what the store
 * holds, and the reset times. Counting is a LongAdder increment; families are built per scrape.
 * It also keeps the last refused pushes themselves ({@link #recentRejections()}) for the status page.
 */
public final class GatewayMetrics {
    public static final String PREFIX = "aggregation_gateway_";

    private final IntSupplier familiesHeld;
    private final LongSupplier seriesHeld;
    private final LongSupplier storeBytes;
    private final Supplier<Optional<Instant>> lastReset;
    private final Supplier<Optional<Instant>> nextReset;
    private final Supplier<SourceCounts> sources;
    private final Supplier<SnapshotCounts> snapshots;
    /** By format name: counted without a label set built per push, which took a few per cent of a small push. */
    private final Map<String, FormatCounters> formats = new ConcurrentHashMap<>();
    /** By {@link RejectionReason#ordinal()}. */
    private final LongAdder[] rejections = new LongAdder[RejectionReason.values().length];
    private final RecentRejections recentRejections;

    /**
     * @param familiesHeld how many families the store holds
     * @param seriesHeld   how many series the store holds
     * @param storeBytes   how many bytes of its byte budget the store takes
     * @param lastReset    when the reset schedule last cleared the store
     * @param nextReset    when the reset schedule next clears it
     */
    public GatewayMetrics(IntSupplier familiesHeld, LongSupplier seriesHeld, LongSupplier storeBytes,
                          Supplier<Optional<Instant>> lastReset, Supplier<Optional<Instant>> nextReset) {
        this(familiesHeld, seriesHeld, storeBytes, lastReset, nextReset, Clock.systemUTC());
    }

    /** @param clock the time refusals are recorded at */
    public GatewayMetrics(IntSupplier familiesHeld, LongSupplier seriesHeld, LongSupplier storeBytes,
                          Supplier<Optional<Instant>> lastReset, Supplier<Optional<Instant>> nextReset, Clock clock) {
        this(familiesHeld, seriesHeld, storeBytes, lastReset, nextReset, clock, null);
    }

    /** @param sources what the engine counts of its sources, or {@code null} when none are configured */
    public GatewayMetrics(IntSupplier familiesHeld, LongSupplier seriesHeld, LongSupplier storeBytes,
                          Supplier<Optional<Instant>> lastReset, Supplier<Optional<Instant>> nextReset, Clock clock,
                          Supplier<SourceCounts> sources) {
        this(familiesHeld, seriesHeld, storeBytes, lastReset, nextReset, clock, sources, null);
    }

    /** @param snapshots how the snapshot file's writes went, or {@code null} when there is no such file */
    public GatewayMetrics(IntSupplier familiesHeld, LongSupplier seriesHeld, LongSupplier storeBytes,
                          Supplier<Optional<Instant>> lastReset, Supplier<Optional<Instant>> nextReset, Clock clock,
                          Supplier<SourceCounts> sources, Supplier<SnapshotCounts> snapshots) {
        this.snapshots = snapshots;
        this.familiesHeld = familiesHeld;
        this.seriesHeld = seriesHeld;
        this.storeBytes = storeBytes;
        this.lastReset = lastReset;
        this.nextReset = nextReset;
        this.sources = sources;
        this.recentRejections = new RecentRejections(clock);
        Arrays.setAll(rejections, i -> new LongAdder());
    }

    /** One format's counters; it exists once a push of the format came, so its bytes are shown from then on. */
    private record FormatCounters(LongAdder accepted, LongAdder rejected, LongAdder bytes) {
        FormatCounters() {
            this(new LongAdder(), new LongAdder(), new LongAdder());
        }
    }

    /** The last refused pushes, which every adapter records next to {@link #recordPush}. */
    public RecentRejections recentRejections() {
        return recentRejections;
    }

    /** The push counters as they are now. */
    public PushCounts counts() {
        Map<String, Long> accepted = new HashMap<>();
        Map<String, Long> rejected = new HashMap<>();
        formats.forEach((format, counters) -> {
            putIfCounted(accepted, format, counters.accepted());
            putIfCounted(rejected, format, counters.rejected());
        });
        Map<String, Long> reasons = new HashMap<>();
        for (RejectionReason reason : RejectionReason.values()) {
            putIfCounted(reasons, reasonLabel(reason), rejections[reason.ordinal()]);
        }
        return new PushCounts(accepted, rejected, reasons);
    }

    /**
     * Counts one push.
     *
     * @param format    how it arrived: {@code text}, {@code openmetrics}, {@code protobuf}, {@code grpc}
     * @param bodyBytes its size as decoded
     * @param rejection why it was refused, or {@code null} when accepted
     */
    public void recordPush(String format, long bodyBytes, RejectionReason rejection) {
        FormatCounters counters = formats.get(format);
        if (counters == null) {
            counters = formats.computeIfAbsent(format, f -> new FormatCounters());
        }
        counters.bytes().add(bodyBytes);
        if (rejection == null) {
            counters.accepted().increment();
        } else {
            counters.rejected().increment();
            rejections[rejection.ordinal()].increment();
        }
    }

    private static void putIfCounted(Map<String, Long> counts, String key, LongAdder count) {
        long sum = count.sum();
        if (sum > 0) {
            counts.put(key, sum);
        }
    }

    private static String reasonLabel(RejectionReason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    /** The pushed families and the gateway's own, in one list sorted by name. */
    public List<FamilyView> withOwnMetrics(List<FamilyView> pushed) {
        List<FamilyView> all = new ArrayList<>(pushed.size() + 8);
        all.addAll(pushed);
        all.addAll(ownFamilies());
        all.sort(Comparator.comparing(FamilyView::name));
        return all;
    }

    List<FamilyView> ownFamilies() {
        List<FamilyView> out = new ArrayList<>();
        List<ScalarSample> pushes = new ArrayList<>();
        List<ScalarSample> bytes = new ArrayList<>();
        formats.forEach((format, counters) -> {
            addIfCounted(pushes, Labels.of("format", format, "result", "accepted"), counters.accepted());
            addIfCounted(pushes, Labels.of("format", format, "result", "rejected"), counters.rejected());
            bytes.add(new ScalarSample(Labels.of("format", format), counters.bytes().sum()));
        });
        List<ScalarSample> reasons = new ArrayList<>();
        for (RejectionReason reason : RejectionReason.values()) {
            addIfCounted(reasons, Labels.of("reason", reasonLabel(reason)), rejections[reason.ordinal()]);
        }
        out.add(counter("pushes_total", "Pushes received, by format and result (accepted or rejected).", pushes));
        out.add(counter("rejections_total", "Rejected pushes, by reason.", reasons));
        out.add(counter("received_bytes_total", "Push body bytes received (after gzip decoding), by format.", bytes));
        out.add(gauge("families", "Families the gateway holds.", familiesHeld.getAsInt()));
        out.add(gauge("series", "Series the gateway holds.", seriesHeld.getAsLong()));
        out.add(gauge("store_bytes", "Heap the stored families and series take, as the gateway estimates it "
                + "for its byte budget (--max-store-bytes).", storeBytes.getAsLong()));
        lastReset.get().ifPresent(t -> out.add(gauge("last_reset_timestamp_seconds",
                "When the aggregate was last cleared by the reset schedule, in Unix seconds.", seconds(t))));
        nextReset.get().ifPresent(t -> out.add(gauge("next_reset_timestamp_seconds",
                "When the reset schedule next clears the aggregate, in Unix seconds.", seconds(t))));
        if (sources != null) {
            SourceCounts counts = sources.get();
            out.add(gauge("sources", "Sources (senders of running totals) the gateway knows: they pushed and were not forgotten.",
                    counts.live()));
            out.add(gauge("source_states", "(series, source) states held: each source's last value of each series it pushes.",
                    counts.states()));
            out.add(counter("source_expiries_total", "Sources forgotten because they did not push within --source-ttl.",
                    counts.expiries()));
            out.add(counter("source_restarts_total",
                    "Series pushes from sources whose running total went down: the source restarted and was counted afresh.",
                    counts.restarts()));
        }
        if (snapshots != null) {
            SnapshotCounts counts = snapshots.get();
            counts.lastSuccess().ifPresent(t -> out.add(gauge("snapshot_last_success_timestamp_seconds",
                    "When the state in the newest snapshot written to --persistence-file was taken, in Unix seconds.",
                    seconds(t))));
            if (counts.written() > 0) {
                out.add(gauge("snapshot_duration_seconds", "How long writing the newest snapshot took.", counts.durationSeconds()));
                out.add(gauge("snapshot_size_bytes", "Size of the newest snapshot file.", counts.bytes()));
            }
            out.add(counter("snapshots_total", "Snapshots written to --persistence-file since start.", counts.written()));
            out.add(counter("snapshot_failures_total",
                    "Snapshot writes that failed since start (each is logged; the next interval tries again).", counts.failed()));
        }
        out.removeIf(family -> family.series().isEmpty());
        return out;
    }

    private static double seconds(Instant t) {
        return t.toEpochMilli() / 1000.0;
    }

    /** Only counts that moved are shown, as a label set appears once something was counted with it. */
    private static void addIfCounted(List<ScalarSample> samples, Labels labels, LongAdder count) {
        long sum = count.sum();
        if (sum > 0) {
            samples.add(new ScalarSample(labels, sum));
        }
    }

    private static FamilyView counter(String name, String help, List<ScalarSample> samples) {
        return FamilyView.ofSamples(PREFIX + name, MetricType.COUNTER, help, samples);
    }

    private static FamilyView counter(String name, String help, double value) {
        return FamilyView.ofSamples(PREFIX + name, MetricType.COUNTER, help, List.of(new ScalarSample(Labels.EMPTY, value)));
    }

    private static FamilyView gauge(String name, String help, double value) {
        return FamilyView.ofSamples(PREFIX + name, MetricType.GAUGE, help, List.of(new ScalarSample(Labels.EMPTY, value)));
    }
}
