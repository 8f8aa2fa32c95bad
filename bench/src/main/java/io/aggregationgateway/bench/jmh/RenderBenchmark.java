package io.aggregationgateway.bench.jmh;

import io.aggregationgateway.bench.BodyEncoding;
import io.aggregationgateway.bench.StoreFill;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.expose.RenderWorkers;
import io.aggregationgateway.server.expose.ScrapeFormat;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A scrape short of HTTP: snapshot of the store, rendered into a stream that only counts bytes, as a
 * scrape negotiates it: text 0.0.4, and OpenMetrics 1.0.0 and protobuf as Prometheus 3 asks for them
 * (names as they are, each series' start: {@code _created}, {@code created_timestamp}). The store holds
 * {@code series} counter series shaped like bench/run's fill (5 labels each); pass
 * {@code -p series=1000000} for the million.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class RenderBenchmark {
    @Param({"100000"})
    public int series;

    private final ScrapeFormat text = ScrapeFormat.negotiate("text/plain;version=0.0.4");
    private final ScrapeFormat openMetrics = ScrapeFormat.negotiate(
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,*/*;q=0.2");
    private final ScrapeFormat protobuf = ScrapeFormat.negotiate(
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,"
                    + "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,*/*;q=0.2");
    private Aggregator aggregator;

    @Setup
    public void fill() throws PushRejectedException {
        aggregator = new Aggregator();
        byte[] body = BodyEncoding.protobufDelimited(StoreFill.families());
        List<MetricFamily> families = new ProtobufDecoder().decodeDelimited(body, 0, body.length);
        for (int shard = 0; shard * StoreFill.SERIES_PER_PUSH < series; shard++) {
            aggregator.push(new Push(Labels.of("job", "fill", "shard", Integer.toString(shard)), families));
        }
    }

    @Benchmark
    public long renderText() throws IOException {
        CountingSink out = new CountingSink();
        text.render(aggregator.families(), out, RenderWorkers.NONE);
        return out.bytes;
    }

    @Benchmark
    public long renderOpenMetrics() throws IOException {
        CountingSink out = new CountingSink();
        openMetrics.render(aggregator.families(), out, RenderWorkers.NONE);
        return out.bytes;
    }

    @Benchmark
    public long renderProtobuf() throws IOException {
        CountingSink out = new CountingSink();
        protobuf.render(aggregator.families(), out, RenderWorkers.NONE);
        return out.bytes;
    }

    /** Counts what it is given and keeps nothing, so only rendering is measured. */
    private static final class CountingSink extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }

}
