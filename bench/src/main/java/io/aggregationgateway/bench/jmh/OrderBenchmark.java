package io.aggregationgateway.bench.jmh;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a scrape pays to put a family of a million series in label order (the engine's view of
 * {@code GET /metrics}, {@link Aggregator#families()}, without rendering): right after the family
 * was filled by {@value #PUSHES} pushes of {@value #PER_PUSH} new series each (every series new to
 * the order), and once filled and scraped, after a push brought one new series, or none.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
public class OrderBenchmark {
    static final int PUSHES = 20;
    static final int PER_PUSH = 50_000;
    private static final Labels GROUPING = Labels.of("job", "order");

    /** What the scrape finds: {@code fill} just filled, {@code one-new} one new series since the last scrape, {@code unchanged} none. */
    @Param({"fill", "one-new", "unchanged"})
    public String change;

    private Aggregator aggregator;
    private int added;

    private static Push push(int from, int count) {
        List<Series> series = new ArrayList<>(count);
        for (int id = from; id < from + count; id++) {
            // in label order within the push, as clients write them
            series.add(new ScalarSample(Labels.of("id", String.format("%07d", id), "path", "/api/v1/items/" + id % 977), 1));
        }
        return new Push(GROUPING, List.of(new MetricFamily("order_requests_total", MetricType.COUNTER, "", series)));
    }

    @Setup(Level.Trial)
    public void filledAndScraped() throws PushRejectedException {
        if (!change.equals("fill")) {
            aggregator = new Aggregator();
            for (int p = 0; p < PUSHES; p++) {
                aggregator.push(push(p * PER_PUSH, PER_PUSH));
            }
            aggregator.families();
        }
    }

    @Setup(Level.Invocation)
    public void change() throws PushRejectedException {
        if (change.equals("fill")) {
            aggregator = null;
            System.gc();
            aggregator = new Aggregator();
            for (int p = 0; p < PUSHES; p++) {
                aggregator.push(push(p * PER_PUSH, PER_PUSH));
            }
        } else if (change.equals("one-new")) {
            aggregator.push(push(PUSHES * PER_PUSH + added++, 1));
        } else {
            aggregator.push(push(0, 1)); // a held series: the set is unchanged
        }
    }

    @Benchmark
    public List<FamilyView> scrape() {
        return aggregator.families();
    }
}
