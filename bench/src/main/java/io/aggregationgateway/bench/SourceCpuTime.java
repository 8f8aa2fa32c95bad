package io.aggregationgateway.bench;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.EngineSettings;
import io.aggregationgateway.server.aggregate.SourceSettings;
import io.aggregationgateway.server.ingest.ProtobufDecoder;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a cumulative push costs the engine next to a delta push, on a busy machine: one thread
 * alternates the two push by push (the {@code 1k} workload; the cumulative ones from 100 sources in
 * turn) and times each by its own CPU time, so that other work on the machine weighs on both alike.
 * Prints, per round, the CPU per push of each for the merge of a decoded push and for protobuf
 * decoding plus merge.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.aggregationgateway.bench.SourceCpuTime [rounds]}
 */
public final class SourceCpuTime {
    private static final int SOURCES = 100;
    private static final int PUSHES_PER_ROUND = 3000;

    private SourceCpuTime() {
    }

    public static void main(String[] args) throws PushRejectedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<io.aggregationgateway.proto.metrics.MetricFamily> workload = Workload.byId("1k").families();
        byte[] protobuf = BodyEncoding.protobufDelimited(workload);
        ProtobufDecoder decoder = new ProtobufDecoder();
        List<MetricFamily> decoded = decoder.decodeDelimited(protobuf, 0, protobuf.length);
        Aggregator aggregator = new Aggregator(EngineSettings.unlimited(""), GaugeModes.ALL_SUM,
                new SourceSettings(List.of("instance"), Duration.ZERO, Long.MAX_VALUE), System::currentTimeMillis);
        Labels delta = Labels.of("job", "bench");
        Labels[] sources = new Labels[SOURCES];
        for (int i = 0; i < SOURCES; i++) {
            sources[i] = Labels.of("job", "bench", "instance", "s" + i);
            aggregator.push(new Push(sources[i], decoded));
        }
        aggregator.push(new Push(delta, decoded));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (boolean decode : new boolean[] {false, true}) {
            for (int round = 1; round <= rounds; round++) {
                long deltaNanos = 0;
                long sourceNanos = 0;
                for (int i = 0; i < PUSHES_PER_ROUND; i++) {
                    long start = threads.getCurrentThreadCpuTime();
                    aggregator.push(new Push(delta, decode ? decoder.decodeDelimited(protobuf, 0, protobuf.length) : decoded));
                    long between = threads.getCurrentThreadCpuTime();
                    aggregator.push(new Push(sources[i % SOURCES],
                            decode ? decoder.decodeDelimited(protobuf, 0, protobuf.length) : decoded));
                    long end = threads.getCurrentThreadCpuTime();
                    deltaNanos += between - start;
                    sourceNanos += end - between;
                }
                System.out.printf(Locale.ROOT, "%s, round %d: delta %.1f µs/push, from sources %.1f µs/push, delta ÷ sources %.0f %%%n",
                        decode ? "protobuf decode + merge" : "merge", round, deltaNanos / 1e3 / PUSHES_PER_ROUND,
                        sourceNanos / 1e3 / PUSHES_PER_ROUND, 100.0 * deltaNanos / sourceNanos);
            }
        }
    }
}
