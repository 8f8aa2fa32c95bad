package io.aggregationgateway.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Turns bench/run's measurements into the markdown it prints: one table of pushes, scrapes and
 * memory with the targets in bench/README.md and a pass/fail per target, then the JMH summary.
 *
 * <p>Usage: {@code ResultsTable <results.tsv> <jmh.csv|-> <seconds per push run>}
 */
public final class ResultsTable {
    private static final String[] WORKLOADS = {"small", "1k", "hist", "native"};
    /** {@code text-tls-auth}: text pushes over TLS with basic auth, to a gateway with a web config file. */
    private static final String TLS_AUTH = "text-tls-auth";
    private static final String[] FORMATS = {"text", "protobuf", "grpc", TLS_AUTH};
    private static final int[] CONNS = {2, 8};
    private static final long MILLION = 1_000_000;

    private final Measurements m;
    private final List<String> rows = new ArrayList<>();

    private ResultsTable(Measurements m) {
        this.m = m;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: ResultsTable <results.tsv> <jmh.csv|-> <seconds per push run>");
            System.exit(2);
        }
        Path jmh = args[1].equals("-") ? null : Path.of(args[1]);
        Measurements m = Measurements.read(Path.of(args[0]), jmh);
        System.out.print(new ResultsTable(m).render(args[2]));
    }

    private String render(String seconds) {
        StringBuilder out = new StringBuilder();
        out.append("| workload | format | conns | gateway | samples/s | CPU µs/push: server / load gen. | pushgateway | CPU µs/push | ratio | target | result |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        pushRows();
        loadRows();
        scrapeRows();
        memoryRows();
        defaultMemoryRows();
        sourceRows();
        ingestCeilingRows();
        rows.forEach(r -> out.append(r).append('\n'));
        out.append('\n').append("Push rows: requests per second over ").append(seconds)
                .append(" s with N connections, one request in flight each (wrk; gRPC: GrpcLoad). ")
                .append("CPU µs/push: the server process's CPU time (user + system) during the run ÷ requests it answered; ")
                .append("load gen.: the same for the load generator (wrk, GrpcLoad), which shares the two cores with the server. ")
                .append("Ratio: gateway ÷ Pushgateway for pushes, Pushgateway time ÷ gateway time for scrapes ")
                .append("(scrapes: median of the timed GETs, without gzip).\n");
        jmhSummary(out);
        return out.toString();
    }

    private void pushRows() {
        for (String workload : WORKLOADS) {
            int samples = samplesPerPush(workload);
            for (String format : FORMATS) {
                for (int conns : CONNS) {
                    var gateway = m.pushRun(workload, format, conns, "gateway");
                    if (gateway.isEmpty()) {
                        continue;
                    }
                    var reference = m.pushRun(workload, format, conns, "pushgateway");
                    double rate = gateway.get().pushesPerSecond();
                    Target target = pushTarget(workload, format, conns);
                    String failed = gateway.get().failed() == 0 ? "" : " (" + gateway.get().failed() + " failed!)";
                    row(workload, format, Integer.toString(conns),
                            perSecond(rate) + failed,
                            perSecond(rate * samples),
                            micros(gateway.get().cpuMicrosPerPush()) + " / " + micros(gateway.get().clientCpuMicrosPerPush()),
                            reference.map(r -> perSecond(r.pushesPerSecond())).orElse("–"),
                            reference.map(r -> micros(r.cpuMicrosPerPush())).orElse("–"),
                            reference.map(r -> times(rate / r.pushesPerSecond())).orElse("–"),
                            target.text(), target.verdict(rate, failed.isEmpty()));
                }
            }
        }
    }

    /** The push targets; protobuf and gRPC must at least match text for the same workload and connections. */
    private Target pushTarget(String workload, String format, int conns) {
        if (format.equals(TLS_AUTH)) {
            OptionalDouble plain = m.push(workload, "text", conns, "gateway");
            return plain.isEmpty() ? Target.NONE : Target.atLeast(0.6 * plain.getAsDouble(),
                    "≥ 60 % of plain text (" + perSecond(0.6 * plain.getAsDouble()) + ")");
        }
        if (format.equals("text")) {
            double minimum = switch (workload + "/" + conns) {
                case "1k/2" -> 1_500;
                case "small/8" -> 25_000;
                case "hist/2" -> 6_000;
                default -> Double.NaN;
            };
            return Double.isNaN(minimum) ? Target.NONE : Target.atLeast(minimum, "≥ " + perSecond(minimum));
        }
        OptionalDouble text = m.push(workload, "text", conns, "gateway");
        return text.isEmpty() ? Target.NONE
                : Target.atLeast(text.getAsDouble(), "≥ text (" + perSecond(text.getAsDouble()) + ")");
    }

    private void loadRows() {
        for (Measurements.Load load : m.loads) {
            Target target = load.series() == MILLION ? Target.atMost(1.0, "≤ 1.0 s") : Target.NONE;
            row("load " + seriesCount(load.series()) + " series", "protobuf, pushes of 10k", "1",
                    String.format(Locale.ROOT, "%.2f s", load.seconds()),
                    "", String.format(Locale.ROOT, "server CPU %.2f s", load.cpuSeconds()), "–", "", "–",
                    target.text(), target.verdict(load.seconds(), true));
        }
    }

    private void scrapeRows() {
        for (Measurements.Scrape s : m.scrapes) {
            if (!s.server().equals("gateway")) {
                continue;
            }
            Measurements.Scrape reference = m.scrapes.stream()
                    .filter(r -> r.server().equals("pushgateway") && r.series() == s.series() && r.format().equals(s.format()))
                    .findFirst().orElse(null);
            Target target = s.series() == MILLION && s.format().equals("text")
                    ? Target.atMost(0.4, "≤ 0.4 s") : Target.NONE;
            row("scrape " + seriesCount(s.series()) + " series", s.format(), "1", scrapeCell(s), "", "",
                    reference == null ? "–" : scrapeCell(reference), "",
                    reference == null ? "–" : times(reference.medianSeconds() / s.medianSeconds()),
                    target.text(), target.verdict(s.medianSeconds(), true));
        }
    }

    private void memoryRows() {
        Long emptyHeap = m.memory.get("0/heap");
        Long emptyRss = m.memory.get("0/rss");
        for (long series : new long[] {100_000, MILLION}) {
            Long heap = m.memory.get(series + "/heap");
            Long rss = m.memory.get(series + "/rss");
            if (heap == null || emptyHeap == null) {
                continue;
            }
            double heapPerSeries = (heap - emptyHeap) / (double) series;
            Target target = series == MILLION ? Target.atMost(150, "≤ 150 B/series") : Target.NONE;
            row("memory " + seriesCount(series) + " series", "live heap after GC, minus empty", "",
                    String.format(Locale.ROOT, "%.0f B/series", heapPerSeries), "", "", "–", "", "–",
                    target.text(), target.verdict(heapPerSeries, true));
            if (rss != null && emptyRss != null) {
                row("memory " + seriesCount(series) + " series", "RSS after GC", "",
                        String.format(Locale.ROOT, "%s = %.0f B/series (%.0f B/series over empty)", megabytes(rss),
                                rss / (double) series, (rss - emptyRss) / (double) series),
                        "", "", "–", "", "–", "", "info");
            }
        }
    }

    /**
     * The gateway started as {@code java -jar} starts it (default JVM flags) and filled with a million
     * series: its RSS over the empty gateway's, per series, right after the fill, after three scrapes,
     * after a quiet while (the target: what an operator sees), and after a full GC; and the live heap.
     */
    private void defaultMemoryRows() {
        Long emptyRss = m.defaultMemory.get("empty/rss");
        Long emptyHeap = m.defaultMemory.get("empty-gc/heap");
        if (emptyRss == null || emptyHeap == null) {
            return;
        }
        String[][] phases = {{"filled", "RSS growth right after the fill"}, {"scraped", "RSS growth after 3 scrapes"},
                {"settled", "RSS growth after a quiet while"}, {"gc", "RSS growth after a full GC"}};
        for (String[] phase : phases) {
            Long rss = m.defaultMemory.get(phase[0] + "/rss");
            if (rss == null) {
                continue;
            }
            double perSeries = (rss - emptyRss) / (double) MILLION;
            Target target = phase[0].equals("settled") ? Target.atMost(250, "≤ 250 B/series") : Target.NONE;
            row("memory 1M series, default JVM flags", phase[1], "",
                    String.format(Locale.ROOT, "%.0f B/series (RSS %s)", perSeries, megabytes(rss)), "", "", "–", "", "–",
                    target.text(), phase[0].equals("settled") ? target.verdict(perSeries, true) : "info");
        }
        Long heap = m.defaultMemory.get("gc/heap");
        if (heap != null) {
            row("memory 1M series, default JVM flags", "live heap after GC, minus empty", "",
                    String.format(Locale.ROOT, "%.0f B/series", (heap - emptyHeap) / (double) MILLION),
                    "", "", "–", "", "–", "", "info");
        }
    }

    /**
     * Cumulative pushes of the 1k workload from 100 sources against delta pushes of it, run back to
     * back on one gateway (each pair in turn, several rounds per format), and what a (series, source)
     * state weighs: the live heap with a million of them minus the heap with only their 10,000 series.
     * The target is judged on the median of the rounds' ratios. Next to each is the ratio "by CPU/push":
     * delta's server CPU per push ÷ the cumulative one's, the rate ratio a gateway bound by its own CPU
     * would show, which other work on the machine disturbs far less than the rates.
     */
    private void sourceRows() {
        int samples = samplesPerPush("1k");
        for (String format : FORMATS) {
            List<Double> rateRatios = new ArrayList<>();
            List<Double> cpuRatios = new ArrayList<>();
            boolean clean = true;
            for (int round = 1; ; round++) {
                var delta = m.pushRun("1k", format, 2, "delta#" + round);
                var sources = m.pushRun("1k", format, 2, "sources#" + round);
                if (delta.isEmpty() || sources.isEmpty()) {
                    break;
                }
                double deltaRate = delta.get().pushesPerSecond();
                double rate = sources.get().pushesPerSecond();
                double cpuRatio = delta.get().cpuMicrosPerPush() / sources.get().cpuMicrosPerPush();
                rateRatios.add(rate / deltaRate);
                cpuRatios.add(cpuRatio);
                String failed = delta.get().failed() + sources.get().failed() == 0 ? "" : " (failed requests!)";
                clean &= failed.isEmpty();
                row("1k delta pushes (round " + round + ")", format, "2", perSecond(deltaRate) + failed,
                        perSecond(deltaRate * samples),
                        micros(delta.get().cpuMicrosPerPush()) + " / " + micros(delta.get().clientCpuMicrosPerPush()),
                        "–", "", "–", "", "");
                row("1k from 100 sources, cumulative (round " + round + ")", format, "2", perSecond(rate) + failed,
                        perSecond(rate * samples),
                        micros(sources.get().cpuMicrosPerPush()) + " / " + micros(sources.get().clientCpuMicrosPerPush()),
                        "–", "", String.format(Locale.ROOT, "%.0f %% of delta (by CPU/push: %.0f %%)", 100 * rate / deltaRate,
                                100 * cpuRatio), "", "");
            }
            if (!rateRatios.isEmpty()) {
                double median = median(rateRatios);
                Target target = Target.atLeast(0.8, "≥ 80 % of delta");
                row("1k from 100 sources ÷ delta, median of " + rateRatios.size() + " rounds", format, "2",
                        String.format(Locale.ROOT, "%.0f %%", 100 * median), "", "", "–", "",
                        String.format(Locale.ROOT, "by CPU/push: %.0f %%", 100 * median(cpuRatios)),
                        target.text(), target.verdict(median, clean));
            }
        }
        Long aggregateOnly = m.sourceMemory.get(0L);
        Long withStates = m.sourceMemory.get(MILLION);
        if (aggregateOnly != null && withStates != null) {
            double perState = (withStates - aggregateOnly) / (double) MILLION;
            Target target = Target.atMost(120, "≤ 120 B/state");
            row("memory 1M (series, source) states", "live heap after GC, minus their 10k series", "",
                    String.format(Locale.ROOT, "%.0f B/state", perState), "", "", "–", "", "–",
                    target.text(), target.verdict(perState, true));
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * The target "ingest ≥ 50 % of the parse-only rate", two ways for the 1k text workload: the
     * engine in process (JMH, one thread) and the whole gateway over HTTP (2 connections).
     */
    private void ingestCeilingRows() {
        OptionalDouble parseOnly = m.jmhScore("parseOnlyText", "1k");
        if (parseOnly.isEmpty()) {
            return;
        }
        Target half = Target.atLeast(0.5, "≥ 50 %");
        OptionalDouble engine = m.jmhScore("ingestText", "1k");
        if (engine.isPresent()) {
            double ratio = engine.getAsDouble() / parseOnly.getAsDouble();
            row("ingest vs parse-only, engine (JMH)", "text", "1 thread",
                    String.format(Locale.ROOT, "%.0f %% (%s ÷ %s)", 100 * ratio, perSecond(engine.getAsDouble()),
                            perSecond(parseOnly.getAsDouble())), "", "", "–", "", "–", half.text(), half.verdict(ratio, true));
        }
        OptionalDouble http = m.push("1k", "text", 2, "gateway");
        if (http.isPresent()) {
            double ratio = http.getAsDouble() / parseOnly.getAsDouble();
            row("ingest vs parse-only, HTTP (1k)", "text", "2",
                    String.format(Locale.ROOT, "%.0f %% (%s ÷ %s)", 100 * ratio, perSecond(http.getAsDouble()),
                            perSecond(parseOnly.getAsDouble())), "", "", "–", "", "–", half.text(), half.verdict(ratio, true));
        }
    }

    private void jmhSummary(StringBuilder out) {
        if (m.jmh.isEmpty()) {
            return;
        }
        out.append("\nJMH (one thread; ± is JMH's 99.9 % error):\n\n");
        out.append("| benchmark | param | score | unit |\n|---|---|---:|---|\n");
        for (Measurements.JmhScore s : m.jmh) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %,.1f ± %,.1f | %s |%n",
                    s.benchmark(), s.param(), s.score(), s.error(), s.unit()));
        }
    }

    /** Median of the timed scrapes, the fastest one, and the body size. */
    private static String scrapeCell(Measurements.Scrape s) {
        return String.format(Locale.ROOT, "%.3f s (fastest %.3f), %s", s.medianSeconds(), s.fastestSeconds(),
                megabytes(s.bodyBytes()));
    }

    private static String micros(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        return String.format(Locale.ROOT, value >= 100 ? "%,.0f" : "%.1f", value);
    }

    private void row(String... cells) {
        rows.add("| " + String.join(" | ", cells) + " |");
    }

    private static int samplesPerPush(String workload) {
        return Workload.byId(workload).samplesPerPush();
    }

    private static String perSecond(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String times(double ratio) {
        return String.format(Locale.ROOT, ratio >= 10 ? "%.0f×" : "%.1f×", ratio);
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static String seriesCount(long series) {
        return series >= MILLION ? series / MILLION + "M" : series / 1000 + "k";
    }

    /** A figure to reach: at least or at most a bound. */
    private record Target(String text, double bound, boolean atLeast) {
        static final Target NONE = new Target("", Double.NaN, true);

        static Target atLeast(double bound, String text) {
            return new Target(text, bound, true);
        }

        static Target atMost(double bound, String text) {
            return new Target(text, bound, false);
        }

        String verdict(double measured, boolean clean) {
            if (Double.isNaN(bound)) {
                return "";
            }
            boolean met = clean && (atLeast ? measured >= bound : measured <= bound);
            return met ? "pass" : "**FAIL**";
        }
    }
}
