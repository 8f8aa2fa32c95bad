package io.aggregationgateway.bench.jmh;

import io.aggregationgateway.bench.BodyEncoding;
import io.aggregationgateway.bench.StoreFill;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.ingest.ProtobufDecoder;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The "load 1M" fill of bench/run without HTTP: {@value #PUSHES} protobuf pushes of
 * {@link StoreFill}'s body, each to its own {@code shard} group, decoded (grouping labels added
 * while decoding, as the HTTP route does) and merged into an empty engine, so every push brings
 * 10,000 new series. One operation is the whole fill; {@code -prof gc} gives what it allocates,
 * and the collector's share is in the time, since every new series survives.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4)
@Measurement(iterations = 6)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class FillBenchmark {
    static final int PUSHES = 100;

    private final ProtobufDecoder decoder = new ProtobufDecoder();
    private final Labels[] grouping = new Labels[PUSHES];
    private byte[] body;
    private Aggregator aggregator;

    @Setup(Level.Trial)
    public void body() {
        body = BodyEncoding.protobufDelimited(StoreFill.families());
        for (int shard = 0; shard < PUSHES; shard++) {
            grouping[shard] = Labels.of("job", "fill", "shard", Integer.toString(shard));
        }
    }

    @Setup(Level.Invocation)
    public void emptyEngine() {
        aggregator = null;
        System.gc(); // the last fill's million series go before this one is timed
        aggregator = new Aggregator();
    }

    @Benchmark
    public Aggregator fill() throws PushRejectedException {
        for (int shard = 0; shard < PUSHES; shard++) {
            aggregator.push(new Push(grouping[shard], decoder.decode(body, 0, body.length, grouping[shard]), false));
        }
        return aggregator;
    }
}
