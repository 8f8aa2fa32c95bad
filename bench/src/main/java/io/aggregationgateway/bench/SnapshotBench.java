package io.aggregationgateway.bench;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.EngineSettings;
import io.aggregationgateway.server.ingest.ProtobufDecoder;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.persist.Persistence;
import io.aggregationgateway.server.persist.PersistenceSettings;
import io.aggregationgateway.server.persist.PersistenceStats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The snapshot file of a big store, in one JVM: fills an engine with bench/run's fill series
 * (5 labels, about 60 bytes of label text each; pushed over 30 s of a simulated clock, so push times
 * differ), then times a snapshot (taking the image, encoding, writing, fsync, rename), the pause
 * pushes wait through (taking the image), the file's size, and a load into an empty engine (read,
 * decode, restore), each by wall time and by its thread's CPU time (which other work on a busy
 * machine disturbs less). Prints one markdown table. How pushes fare while snapshots are written is
 * measured over HTTP by {@code bench/persistence/run}.
 *
 * <p>Usage: {@code java -Xmx3g -cp bench/target/benchmarks.jar io.aggregationgateway.bench.SnapshotBench
 * [series] [rounds] [dir]}, defaults 1000000, 5 and a temporary directory.
 */
public final class SnapshotBench {
    private SnapshotBench() {
    }

    public static void main(String[] args) throws Exception {
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("snapshot-bench");
        PersistenceSettings settings = new PersistenceSettings(dir.resolve("state.snap"), Duration.ofHours(1), false);

        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        Aggregator aggregator = filled(series, clock);
        Persistence persistence = new Persistence(settings, aggregator, Optional::empty, "snapshot-bench", Clock.systemUTC());

        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        // the first one sorts every family's series (the fill created them all), as the next scrape would
        long firstCpuStart = cpu.getCurrentThreadCpuTime();
        persistence.snapshot();
        long firstCpu = cpu.getCurrentThreadCpuTime() - firstCpuStart;
        long first = persistence.stats().lastDuration().toNanos();
        System.err.printf(Locale.ROOT, "first snapshot: %d ms, %d ms CPU%n", first / 1_000_000, firstCpu / 1_000_000);
        long[] snapshot = new long[rounds];
        long[] snapshotCpu = new long[rounds];
        long[] pause = new long[rounds];
        long bytes = 0;
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            aggregator.image(); // timed alone: the snapshot takes its own
            pause[i] = System.nanoTime() - start;
            long cpuStart = cpu.getCurrentThreadCpuTime();
            if (!persistence.snapshot()) {
                throw new IllegalStateException("snapshot failed: " + persistence.stats().lastFailure());
            }
            snapshotCpu[i] = cpu.getCurrentThreadCpuTime() - cpuStart;
            PersistenceStats stats = persistence.stats();
            snapshot[i] = stats.lastDuration().toNanos();
            bytes = stats.lastBytes();
            System.err.printf(Locale.ROOT, "snapshot %d: %d ms, %d ms CPU (pause %d ms), %,d bytes%n", i + 1,
                    snapshot[i] / 1_000_000, snapshotCpu[i] / 1_000_000, pause[i] / 1_000_000, bytes);
        }

        long[] load = new long[rounds];
        long[] loadCpu = new long[rounds];
        long loaded = 0;
        for (int i = 0; i < rounds; i++) {
            Aggregator empty = new Aggregator(EngineSettings.unlimited(""), clock::get);
            System.gc();
            long start = System.nanoTime();
            long cpuStart = cpu.getCurrentThreadCpuTime();
            loaded = Persistence.load(settings, empty).orElseThrow().summary().series();
            loadCpu[i] = cpu.getCurrentThreadCpuTime() - cpuStart;
            load[i] = System.nanoTime() - start;
            System.err.printf(Locale.ROOT, "load %d: %d ms, %d ms CPU, %,d series%n", i + 1, load[i] / 1_000_000,
                    loadCpu[i] / 1_000_000, loaded);
        }

        System.out.printf(Locale.ROOT, "Snapshot file of %,d counter series (5 labels, ~60 bytes of label text), %d rounds,"
                + " median (fastest); load average %s:%n%n", series, rounds, loadAverage());
        System.out.println("| what | wall time | CPU time of its thread | target |");
        System.out.println("|---|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| snapshot: image, encode, write, fsync, rename | %s | %s | ≤ 1.5 s |%n",
                seconds(snapshot), seconds(snapshotCpu));
        System.out.printf(Locale.ROOT, "| of which pushes wait (the image's copy) | %s | | |%n", seconds(pause));
        System.out.printf(Locale.ROOT, "| the first snapshot after the fill, which sorts the new series as a scrape would | %s | %s | |%n",
                seconds(new long[] {first}), seconds(new long[] {firstCpu}));
        System.out.printf(Locale.ROOT, "| load: read, check, decode, restore | %s | %s | ≤ 1.5 s |%n", seconds(load), seconds(loadCpu));
        System.out.printf(Locale.ROOT, "| file size | %,d bytes = %.1f B/series | | ≤ 60 B/series |%n", bytes, (double) bytes / series);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static Aggregator filled(int series, AtomicLong clock) throws Exception {
        Aggregator aggregator = new Aggregator(new EngineSettings("", Long.MAX_VALUE, 64, 4096, Duration.ZERO), clock::get);
        byte[] body = BodyEncoding.protobufDelimited(StoreFill.families());
        List<MetricFamily> families = new ProtobufDecoder().decodeDelimited(body, 0, body.length);
        for (int shard = 0; shard * StoreFill.SERIES_PER_PUSH < series; shard++) {
            aggregator.push(new Push(Labels.of("job", "fill", "shard", Integer.toString(shard)), families));
            clock.addAndGet(30_000L * StoreFill.SERIES_PER_PUSH / series + shard % 7); // 30 s over the fill
        }
        return aggregator;
    }

    private static String seconds(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%.3f s (%.3f)", sorted[sorted.length / 2] / 1e9, sorted[0] / 1e9);
    }
}
