package io.aggregationgateway.bench.jmh;

import io.aggregationgateway.bench.BodyEncoding;
import io.aggregationgateway.bench.Workload;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.PushResult;
import io.aggregationgateway.server.ingest.ProtobufDecoder;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.HeldLabels;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The push hot path, one thread, one push per operation, for each load workload:
 * <ul>
 *   <li>{@code parseOnlyText}, {@code parseOnlyProtobuf}: bytes in memory to the model, then
 *       nothing: the ceiling for ingest, since every push has to be decoded at least;</li>
 *   <li>{@code mergeOnly}: an already decoded push validated and merged into the engine;</li>
 *   <li>{@code ingestText}, {@code ingestProtobuf}: decode and merge, what a push costs the
 *       gateway short of HTTP.</li>
 * </ul>
 * The engine already holds the workload's series, so merges update and never create: the
 * steady state of many senders pushing the same series. Pushes carry the grouping label
 * {@code job="bench"} as the HTTP route would add it; as there, the text parser of
 * {@code ingestText} adds it to each series while it builds its labels, and so was the push of
 * {@code mergeOnly} decoded; and as there, it hands over the store's label set for each series the
 * store holds ({@code Aggregator.heldLabels}), building none, and the push says that its series
 * hold the grouping labels ({@code Push.groupingInSeries}). {@code parseOnlyText} parses without
 * either, as it always did.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class IngestBenchmark {
    private static final Labels GROUPING = Labels.of("job", "bench");

    @Param({"small", "1k", "hist"})
    public String workload;

    private final TextFormatParser textParser = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);
    private final ProtobufDecoder protobufDecoder = new ProtobufDecoder();
    private byte[] text;
    private byte[] protobuf;
    private Push decoded;
    private Aggregator aggregator;

    @Setup
    public void setUp() throws PushRejectedException {
        Workload w = Workload.byId(workload);
        text = BodyEncoding.text(w.families());
        protobuf = BodyEncoding.protobufDelimited(w.families());
        decoded = new Push(GROUPING, textParser.decode(text, 0, text.length, GROUPING, HeldLabels.NONE), false);
        aggregator = new Aggregator();
        // the store gets label sets of their own, as from another push: a merge compares bytes, not references
        aggregator.push(new Push(GROUPING, textParser.parse(text, 0, text.length, GROUPING)));
    }

    @Benchmark
    public List<MetricFamily> parseOnlyText() throws PushRejectedException {
        return textParser.parse(text, 0, text.length);
    }

    @Benchmark
    public List<MetricFamily> parseOnlyProtobuf() throws PushRejectedException {
        return protobufDecoder.decodeDelimited(protobuf, 0, protobuf.length);
    }

    @Benchmark
    public PushResult mergeOnly() throws PushRejectedException {
        return aggregator.push(decoded);
    }

    @Benchmark
    public PushResult ingestText() throws PushRejectedException {
        return aggregator.push(new Push(GROUPING, textParser.decode(text, 0, text.length, GROUPING, aggregator.heldLabels()), false));
    }

    @Benchmark
    public PushResult ingestProtobuf() throws PushRejectedException {
        return aggregator.push(new Push(GROUPING, protobufDecoder.decodeDelimited(protobuf, 0, protobuf.length)));
    }
}
