package io.aggregationgateway.bench.jmh;

import io.aggregationgateway.bench.ClientJavaHistograms;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.PushResult;
import io.aggregationgateway.server.ingest.ProtobufDecoder;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link IngestBenchmark}'s protobuf cases for a client_java 1.x histogram push (native and classic
 * buckets, see {@link ClientJavaHistograms}), which has no text form: decode only, and decode and
 * merge into an engine that already holds the series.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ClientJavaHistogramBenchmark {
    private static final Labels GROUPING = Labels.of("job", "bench");

    // as the server decodes: empty native buckets left out where the engine would drop them
    private final ProtobufDecoder protobufDecoder = new ProtobufDecoder(Integer.MAX_VALUE, true);
    private byte[] protobuf;
    private Aggregator aggregator;

    @Setup
    public void setUp() throws PushRejectedException {
        protobuf = ClientJavaHistograms.protobufBody();
        aggregator = new Aggregator();
        aggregator.push(new Push(GROUPING, protobufDecoder.decodeDelimited(protobuf, 0, protobuf.length)));
    }

    @Benchmark
    public List<MetricFamily> parseOnlyProtobuf() throws PushRejectedException {
        return protobufDecoder.decodeDelimited(protobuf, 0, protobuf.length);
    }

    @Benchmark
    public PushResult ingestProtobuf() throws PushRejectedException {
        return aggregator.push(new Push(GROUPING, protobufDecoder.decodeDelimited(protobuf, 0, protobuf.length)));
    }
}
