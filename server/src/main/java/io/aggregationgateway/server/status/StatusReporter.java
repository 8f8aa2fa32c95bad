package io.aggregationgateway.server.status;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.FamilySummary;
import io.aggregationgateway.server.config.Setting;
import io.aggregationgateway.server.lifecycle.ResetSchedule;
import io.aggregationgateway.server.selfmetrics.GatewayMetrics;
import io.aggregationgateway.server.selfmetrics.PushCounts;
import io.aggregationgateway.server.selfmetrics.PushRates;
import io.aggregationgateway.server.selfmetrics.RecentRejections;
import io.aggregationgateway.server.selfmetrics.RejectedPush;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Gathers what the gateway is and holds into {@link Section}s, read fresh on every call: the
 * status page and the JSON API render these. Plain Java: the Helidon side is {@link StatusRoutes}.
 */
public final class StatusReporter {
    /** Most families the page lists; {@code GET /api/v1/families} lists them all. */
    static final int PAGE_FAMILY_LIMIT = 1000;

    static final String GATEWAY = "gateway";
    static final String FAMILIES = "families";
    static final String PUSHES = "pushes";
    static final String REJECTION_REASONS = "rejectionReasons";
    static final String REJECTION_LOG = "rejectionLog";
    static final String RECENT_REJECTIONS = "recentRejections";
    static final String RESET = "reset";
    static final String CONFIG = "config";

    private final BuildInfo build;
    private final Clock clock;
    private final Instant startedAt;
    private final List<Setting> settings;
    private final Aggregator aggregator;
    private final GatewayMetrics metrics;
    private final PushRates rates;
    private final Reset reset;
    private final List<Supplier<Section>> featureSections;

    /**
     * When the aggregate is cleared.
     *
     * @param schedule  the reset schedule, if any
     * @param lastReset when it last cleared the aggregate
     * @param nextReset when it next will
     */
    public record Reset(Optional<ResetSchedule> schedule, Supplier<Optional<Instant>> lastReset,
                        Supplier<Optional<Instant>> nextReset) {
    }

    /**
     * @param settings        the configuration in force, as the config loader resolved it
     * @param featureSections sections of optional features, asked on every call; each shows on the
     *                        page (before the reset schedule) and in {@code GET /api/v1/status}
     */
    public StatusReporter(BuildInfo build, Clock clock, Instant startedAt, List<Setting> settings, Aggregator aggregator,
                          GatewayMetrics metrics, PushRates rates, Reset reset, List<Supplier<Section>> featureSections) {
        this.build = build;
        this.clock = clock;
        this.startedAt = startedAt;
        this.settings = List.copyOf(settings);
        this.aggregator = aggregator;
        this.metrics = metrics;
        this.rates = rates;
        this.reset = reset;
        this.featureSections = List.copyOf(featureSections);
    }

    BuildInfo build() {
        return build;
    }

    Instant now() {
        return clock.instant();
    }

    /** What {@code GET /api/v1/status} answers. */
    List<Section> status() {
        return sections(false);
    }

    /** Everything the page shows, in its order: the status with the families and the recent rejections. */
    List<Section> page() {
        return sections(true);
    }

    private List<Section> sections(boolean page) {
        PushCounts counts = metrics.counts();
        PushRates.Rates recent = rates.current(counts);
        List<Section> sections = new ArrayList<>();
        sections.add(gateway(counts, recent));
        if (page) {
            sections.add(families(PAGE_FAMILY_LIMIT));
        }
        sections.add(pushes(counts, recent));
        sections.add(rejectionReasons(counts, recent));
        if (page) {
            sections.add(recentRejections());
        }
        for (Supplier<Section> feature : featureSections) {
            sections.add(feature.get());
        }
        sections.add(reset());
        sections.add(config());
        return sections;
    }

    /** What {@code GET /api/v1/rejections} answers. */
    List<Section> rejections() {
        RecentRejections log = metrics.recentRejections();
        return List.of(new Section(REJECTION_LOG, "Rejection log", new Section.Facts(List.of(
                        new Section.Fact("recorded", "Refused since start", log.recorded()),
                        new Section.Fact("capacity", "Kept", (long) RecentRejections.CAPACITY)))),
                recentRejections());
    }

    private Section gateway(PushCounts counts, PushRates.Rates recent) {
        Instant now = clock.instant();
        return new Section(GATEWAY, "Gateway", new Section.Facts(List.of(
                new Section.Fact("version", "Version", build.version()),
                new Section.Fact("javaVersion", "Java", build.javaVersion()),
                new Section.Fact("startedAt", "Started", startedAt),
                new Section.Fact("uptimeSeconds", "Uptime", Duration.between(startedAt, now)),
                new Section.Fact("now", "Now", now),
                new Section.Fact("families", "Families", (long) aggregator.familyCount()),
                new Section.Fact("series", "Series", aggregator.seriesCount()),
                new Section.Fact("pushesAccepted", "Pushes accepted", sum(counts.acceptedByFormat().values())),
                new Section.Fact("pushesRejected", "Pushes rejected", sum(counts.rejectedByFormat().values())),
                new Section.Fact("rateWindowSeconds", "Rates per minute over", recent.window()))));
    }

    /** The families, with a button to delete each; the page shows at most {@code limit}. */
    Section families(int limit) {
        List<FamilySummary> all = aggregator.familySummaries();
        List<Section.Row> rows = new ArrayList<>(Math.min(all.size(), limit));
        for (FamilySummary family : all.subList(0, Math.min(all.size(), limit))) {
            Section.Action delete = new Section.Action("Delete", "DELETE",
                    "api/v1/families/" + URLEncoder.encode(family.name(), StandardCharsets.UTF_8),
                    "Delete family " + family.name() + " and its " + family.series() + " series?");
            rows.add(new Section.Row(List.of(family.name(), family.type().textName(), family.series(),
                    Instant.ofEpochMilli(family.lastPushMillis()), family.help()), List.of(delete)));
        }
        String note = all.size() > limit
                ? String.format(Locale.ROOT, "Showing the first %,d of %,d families; GET api/v1/families lists all.", limit, all.size())
                : null;
        return new Section(FAMILIES, "Families", new Section.Table(List.of(
                new Section.Column("name", "Name", Section.Style.CODE),
                new Section.Column("type", "Type", Section.Style.BADGE),
                Section.Column.of("series", "Series"),
                Section.Column.of("lastPush", "Last push"),
                Section.Column.of("help", "Help")), rows, "No families yet: nothing has been pushed since start or the last reset.", note));
    }

    private Section pushes(PushCounts counts, PushRates.Rates recent) {
        TreeSet<String> formats = new TreeSet<>(counts.acceptedByFormat().keySet());
        formats.addAll(counts.rejectedByFormat().keySet());
        List<Section.Row> rows = new ArrayList<>();
        for (String format : formats) {
            rows.add(Section.Row.of(format,
                    counts.acceptedByFormat().getOrDefault(format, 0L),
                    counts.rejectedByFormat().getOrDefault(format, 0L),
                    rate(recent, PushRates.Rates.of(recent.acceptedByFormat(), format)),
                    rate(recent, PushRates.Rates.of(recent.rejectedByFormat(), format))));
        }
        return new Section(PUSHES, "Pushes by format", new Section.Table(List.of(
                new Section.Column("format", "Format", Section.Style.BADGE),
                Section.Column.of("accepted", "Accepted"),
                Section.Column.of("rejected", "Rejected"),
                Section.Column.of("acceptedPerMinute", "Accepted / min"),
                Section.Column.of("rejectedPerMinute", "Rejected / min")), rows, "No pushes since start.",
                "Counts since start; rates per minute over the last " + minutes(recent.window()) + "."));
    }

    private Section rejectionReasons(PushCounts counts, PushRates.Rates recent) {
        List<Section.Row> rows = new ArrayList<>();
        counts.rejectedByReason().forEach((reason, count) -> rows.add(Section.Row.of(reason, count,
                rate(recent, PushRates.Rates.of(recent.rejectedByReason(), reason)))));
        return new Section(REJECTION_REASONS, "Rejections by reason", new Section.Table(List.of(
                new Section.Column("reason", "Reason", Section.Style.BADGE),
                Section.Column.of("rejected", "Rejected"),
                Section.Column.of("perMinute", "Rejected / min")), rows, "No rejections since start.", null));
    }

    private Section recentRejections() {
        RecentRejections log = metrics.recentRejections();
        List<Section.Row> rows = new ArrayList<>();
        for (RejectedPush rejected : log.newestFirst()) {
            rows.add(Section.Row.of(rejected.time(), rejected.client(), rejected.route(), rejected.format(),
                    rejected.reason().name().toLowerCase(Locale.ROOT), rejected.message()));
        }
        String note = String.format(Locale.ROOT, "%,d refused since start; the newest %d are kept.",
                log.recorded(), RecentRejections.CAPACITY);
        return new Section(RECENT_REJECTIONS, "Recent rejections", new Section.Table(List.of(
                Section.Column.of("time", "Time"),
                new Section.Column("client", "Client", Section.Style.CODE),
                new Section.Column("route", "Route", Section.Style.CODE),
                new Section.Column("format", "Format", Section.Style.BADGE),
                new Section.Column("reason", "Reason", Section.Style.BADGE),
                new Section.Column("message", "Message", Section.Style.MESSAGE)), rows, "No rejections since start.", note));
    }

    private Section reset() {
        return new Section(RESET, "Reset schedule", new Section.Facts(List.of(
                new Section.Fact("schedule", "Schedule", reset.schedule().map(ResetSchedule::expression).orElse(null)),
                new Section.Fact("timezone", "Time zone", reset.schedule().map(s -> s.zone().getId()).orElse(null)),
                new Section.Fact("lastReset", "Last reset", reset.lastReset().get().orElse(null)),
                new Section.Fact("nextReset", "Next reset", reset.nextReset().get().orElse(null)))));
    }

    private Section config() {
        List<Section.Row> rows = new ArrayList<>();
        for (Setting setting : settings) {
            String shown = setting.shown();
            rows.add(Section.Row.of(setting.name(), shown.isEmpty() ? null : shown, setting.source().label()));
        }
        return new Section(CONFIG, "Configuration in force", new Section.Table(List.of(
                new Section.Column("name", "Setting", Section.Style.CODE),
                new Section.Column("value", "Value", Section.Style.CODE),
                Section.Column.of("source", "From")), rows, "No settings.",
                "Flag names without --; each is also an environment variable and a config-file key."));
    }

    /** A rate rounded to thousandths, or none while the window is empty (right after start). */
    private static Double rate(PushRates.Rates recent, double perMinute) {
        return recent.window().isZero() ? null : Math.round(perMinute * 1000) / 1000.0;
    }

    private static String minutes(Duration window) {
        long seconds = window.toSeconds();
        return seconds >= 60 ? String.format(Locale.ROOT, "%.1f min", seconds / 60.0) : seconds + " s";
    }

    private static long sum(Collection<Long> counts) {
        return counts.stream().mapToLong(Long::longValue).sum();
    }
}
