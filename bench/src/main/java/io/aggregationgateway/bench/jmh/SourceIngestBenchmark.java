package io.aggregationgateway.bench.jmh;

import io.aggregationgateway.bench.BodyEncoding;
import io.aggregationgateway.bench.Workload;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.EngineSettings;
import io.aggregationgateway.server.aggregate.PushResult;
import io.aggregationgateway.server.aggregate.SourceSettings;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cumulative pushes against delta pushes of the same workload, one thread, one push per operation,
 * on an engine with the source label {@code instance}:
 * <ul>
 *   <li>{@code deltaText}, {@code deltaMergeOnly}: pushes to {@code job="bench"}, added up;</li>
 *   <li>{@code sourcesText}, {@code sourcesMergeOnly}: the same body from {@value #SOURCES}
 *       sources in turn ({@code instance="s0"} ...), each push compared with that source's last one.</li>
 * </ul>
 * Every source has pushed the workload once in the set-up, so pushes find their states (a retry's
 * work, which is a growth's: the differences are computed and merged either way).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SourceIngestBenchmark {
    static final int SOURCES = 100;
    private static final Labels DELTA = Labels.of("job", "bench");

    @Param({"1k"})
    public String workload;

    private final TextFormatParser textParser = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);
    private final Labels[] sources = new Labels[SOURCES];
    private byte[] text;
    private List<MetricFamily> decoded;
    private Aggregator aggregator;
    private int next;

    @Setup
    public void setUp() throws PushRejectedException {
        text = BodyEncoding.text(Workload.byId(workload).families());
        decoded = textParser.parse(text, 0, text.length);
        aggregator = new Aggregator(EngineSettings.unlimited(""), GaugeModes.ALL_SUM,
                new SourceSettings(List.of("instance"), Duration.ZERO, Long.MAX_VALUE), System::currentTimeMillis);
        aggregator.push(new Push(DELTA, decoded));
        for (int i = 0; i < SOURCES; i++) {
            sources[i] = Labels.of("job", "bench", "instance", "s" + i);
            aggregator.push(new Push(sources[i], decoded));
        }
    }

    private Labels nextSource() {
        Labels source = sources[next];
        next = (next + 1) % SOURCES;
        return source;
    }

    @Benchmark
    public PushResult deltaText() throws PushRejectedException {
        return aggregator.push(new Push(DELTA, textParser.parse(text, 0, text.length)));
    }

    @Benchmark
    public PushResult sourcesText() throws PushRejectedException {
        return aggregator.push(new Push(nextSource(), textParser.parse(text, 0, text.length)));
    }

    @Benchmark
    public PushResult deltaMergeOnly() throws PushRejectedException {
        return aggregator.push(new Push(DELTA, decoded));
    }

    @Benchmark
    public PushResult sourcesMergeOnly() throws PushRejectedException {
        return aggregator.push(new Push(nextSource(), decoded));
    }
}
