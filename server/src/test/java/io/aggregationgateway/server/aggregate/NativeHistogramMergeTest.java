package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.aggregationgateway.server.aggregate.NativeHistogramBuilder.describe;
import static io.aggregationgateway.server.aggregate.NativeHistogramBuilder.nh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Golden merges of native histograms, hand-computed from Prometheus's rule: push A then B, and
 * B then A, and expect the same sum.
 */
class NativeHistogramMergeTest {
    private static final double INF = Double.POSITIVE_INFINITY;
    /** client_golang's and client_java's default zero threshold: a bucket boundary at every schema. */
    private static final double DEFAULT_ZT = 0x1p-128;

    static Stream<Arguments> goldenMerges() {
        return Stream.of(
                arguments("same schema: buckets added index by index",
                        nh(3).zero(0.001, 1).pos(1, 2, 2, 1).sum(5),
                        nh(3).zero(0.001, 0).pos(2, 3, 5, 1).sum(3),
                        nh(3).zero(0.001, 1).pos(1, 2, 2, 4, 5, 1).count(8).sum(8)),
                // schema 3 -> 0: index i goes to ((i - 1) >> 3) + 1, e.g. 1..8 -> 1 (1, 2], -7..0 -> 0 (0.5, 1]
                arguments("schemas 3 and 0: the finer side's buckets merged eight to one",
                        nh(3).zero(0.001, 0).pos(-8, 1, -7, 2, 0, 1, 1, 3, 8, 1, 9, 4).sum(20),
                        nh(0).zero(0.001, 0).pos(0, 10, 3, 1).sum(7),
                        nh(0).zero(0.001, 0).pos(-1, 1, 0, 13, 1, 4, 2, 4, 3, 1).count(23).sum(27)),
                arguments("negative buckets, schemas 1 and 0",
                        nh(1).zero(0.001, 0).neg(1, 2, 2, 1, 3, 5).pos(1, 1).sum(-10),
                        nh(0).zero(0.001, 0).neg(1, 1, 2, 2).sum(-5),
                        nh(0).zero(0.001, 0).neg(1, 4, 2, 7).pos(1, 1).count(12).sum(-15)),
                // A widens 0.1 -> 0.3; its bucket (0.25, 0.5] straddles 0.3, so the threshold moves to 0.5
                // and that bucket is folded in: zero count 2 + 3 (A) + 5 (B)
                arguments("different zero thresholds: the wider wins, widened to a bucket boundary",
                        nh(0).zero(0.1, 2).pos(-1, 3, 1, 1).sum(4),
                        nh(0).zero(0.3, 5).pos(0, 4).sum(6),
                        nh(0).zero(0.5, 10).pos(0, 4, 1, 1).count(15).sum(10)),
                arguments("a negative bucket straddling the wider threshold widens it too",
                        nh(0).zero(0.1, 1).neg(0, 3).pos(1, 2).sum(-1),
                        nh(0).zero(0.7, 2).sum(1),
                        nh(0).zero(1, 6).pos(1, 2).count(8).sum(0)),
                // B's buckets at schema 3: (0.5, 0.545] and (0.595, 0.648], the latter straddling 0.6, so
                // the threshold becomes 2^(-5/8) = 0.648. Prometheus 2.42 would also keep B's reduced
                // bucket (0.5, 1] holding the same 2 observations, counting them twice.
                arguments("widening at the finer schema folds those buckets once",
                        nh(0).zero(0.6, 0).sum(0),
                        nh(3).zero(0, 0).pos(-7, 1, -5, 1).sum(1.2),
                        nh(0).zero(ExponentialBuckets.upperBound(-5, 3), 2).count(2).sum(1.2)),
                arguments("a populated bucket of the coarser side moves the threshold to its boundary",
                        nh(0).zero(0.6, 0).pos(0, 1, 1, 1).sum(2),
                        nh(3).zero(0, 0).pos(-7, 1, -5, 1).sum(1.2),
                        nh(0).zero(1, 3).pos(1, 1).count(4).sum(3.2)),
                arguments("integer plus float gives float",
                        nh(2).zero(DEFAULT_ZT, 1).pos(0, 2).sum(1.5),
                        nh(2).zero(DEFAULT_ZT, 0.5).pos(0, 0.25, 1, 1.25).floats().sum(2),
                        nh(2).zero(DEFAULT_ZT, 1.5).pos(0, 2.25, 1, 1.25).floats().count(5).sum(3.5)),
                arguments("two empty histograms: empty, at the coarser schema",
                        nh(3).zero(DEFAULT_ZT, 0),
                        nh(1).zero(DEFAULT_ZT, 0),
                        nh(1).zero(DEFAULT_ZT, 0).count(0)),
                arguments("empty plus populated at a finer schema",
                        nh(0).zero(DEFAULT_ZT, 0),
                        nh(4).zero(DEFAULT_ZT, 1).pos(16, 1, 17, 2).neg(-3, 4).sum(9),
                        nh(0).zero(DEFAULT_ZT, 1).pos(1, 1, 2, 2).neg(0, 4).count(8).sum(9)),
                arguments("NaN observations: counted, in no bucket, kept apart from the buckets",
                        nh(0).zero(DEFAULT_ZT, 0).pos(1, 1).count(3).sum(1),
                        nh(0).zero(DEFAULT_ZT, 0).pos(1, 1).count(1).sum(1),
                        nh(0).zero(DEFAULT_ZT, 0).pos(1, 2).count(4).sum(2)),
                arguments("classic buckets merged by the union rule; a side without them is +Inf only",
                        nh(0).zero(DEFAULT_ZT, 0).pos(1, 2).sum(3).classic(1, 0, 2, 2),
                        nh(0).zero(DEFAULT_ZT, 0).pos(2, 1).sum(3),
                        nh(0).zero(DEFAULT_ZT, 0).pos(1, 2, 2, 1).sum(6).classic(1, 0, 2, 2, INF, 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenMerges")
    void addsUpAsPrometheusDoes(String description, NativeHistogramBuilder a, NativeHistogramBuilder b,
                                NativeHistogramBuilder expected) throws PushRejectedException {
        String want = describe(expected.build());
        assertEquals(want, describe(merged(MetricType.HISTOGRAM, a.build(), b.build())), "A then B");
        assertEquals(want, describe(merged(MetricType.HISTOGRAM, b.build(), a.build())), "B then A");
    }

    @Test
    void gaugeHistogramsMergeTheSameWayAndKeepTheirType() throws PushRejectedException {
        Aggregator aggregator = new Aggregator();
        aggregator.push(push(MetricType.GAUGE_HISTOGRAM, nh(3).zero(0.001, 1).pos(1, 2).build()));
        aggregator.push(push(MetricType.GAUGE_HISTOGRAM, nh(0).zero(0.001, 0).pos(1, 1).build()));
        FamilyView family = aggregator.families().get(0);
        assertEquals(MetricType.GAUGE_HISTOGRAM, family.type());
        assertEquals(describe(nh(0).zero(0.001, 1).pos(1, 3).build()),
                describe(((NativeHistogramCell) family.series().get(0)).read()));
    }

    @Test
    void bucketsInsideTheZeroBucketAreFoldedIntoIt() throws PushRejectedException {
        // (0.25, 0.5] lies inside a zero bucket of width 0.5; (0.5, 1] does not
        assertEquals(describe(nh(0).zero(0.5, 3).pos(0, 3).build()),
                describe(merged(MetricType.HISTOGRAM, nh(0).zero(0.5, 1).pos(-1, 2, 0, 3).build())));
    }

    @Test
    void emptyBucketsAreNotStored() throws PushRejectedException {
        assertEquals(describe(nh(1).zero(DEFAULT_ZT, 0).pos(2, 1).neg(1, 4).build()),
                describe(merged(MetricType.HISTOGRAM, nh(1).zero(DEFAULT_ZT, 0).pos(1, 0, 2, 1, 3, 0).neg(1, 4, 2, 0).build())));
    }

    @Test
    void labelsAndGroupingAreThoseOfEverySeries() throws PushRejectedException {
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.of("job", "j"), List.of(new MetricFamily("h", MetricType.HISTOGRAM, "",
                List.of(nh(0).labels("a", "1").pos(1, 1).build())))));
        aggregator.push(new Push(Labels.of("job", "j"), List.of(new MetricFamily("h", MetricType.HISTOGRAM, "",
                List.of(nh(0).labels("a", "1").pos(1, 2).build())))));
        NativeHistogramCell cell = (NativeHistogramCell) aggregator.families().get(0).series().get(0);
        assertEquals(Labels.of("a", "1", "job", "j"), cell.labels());
        assertEquals(Labels.of("a", "1", "job", "j"), cell.read().labels());
        assertEquals(describe(nh(0).pos(1, 3).build()), describe(cell.read()));
    }

    /** The stored histogram after pushing each of {@code pushes} in turn. */
    static NativeHistogram merged(MetricType type, NativeHistogram... pushes) throws PushRejectedException {
        Aggregator aggregator = new Aggregator();
        for (NativeHistogram h : pushes) {
            aggregator.push(push(type, h));
        }
        return ((NativeHistogramCell) aggregator.families().get(0).series().get(0)).read();
    }

    static Push push(MetricType type, NativeHistogram h) {
        return new Push(Labels.EMPTY, List.of(new MetricFamily("h", type, "", List.of(h))));
    }
}
