package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.NativeHistogramView;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static io.aggregationgateway.server.aggregate.NativeHistogramBuilder.describe;
import static io.aggregationgateway.server.aggregate.NativeHistogramBuilder.nh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Native histograms from sources: each push is compared with the source's last one at the new
 * push's schema and zero bucket. Schema 0 keeps the arithmetic visible: bucket {@code i} holds
 * {@code (2^(i-1), 2^i]}. Expected values are the hand-computed sum over sources.
 */
class NativeSourceTest {
    /** One push: from source {@code source}, PUT or POST. */
    record P(String source, NativeHistogramBuilder value, boolean put) {
    }

    static P a(NativeHistogramBuilder value) {
        return new P("a", value, false);
    }

    static P b(NativeHistogramBuilder value) {
        return new P("b", value, false);
    }

    /** Stands for an 11 minute pause: source a expires (b does not push meanwhile either). */
    static final P EXPIRE = new P("", null, false);
    /** {@code DELETE} of source a. */
    static final P DELETE_A = new P("-", null, false);

    // a source's running totals at three moments: H2 = H1 + 4 observations, H3 = H2 + 2
    static NativeHistogramBuilder h1() {
        return nh(0).zero(0.25, 1).pos(-1, 2, 1, 3).sum(6);
    }

    static NativeHistogramBuilder h2() {
        return nh(0).zero(0.25, 2).pos(-1, 2, 1, 4, 3, 2).sum(20);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("first sight: the whole value", List.of(a(h1())), h1()),
                arguments("growth: the second source's difference",
                        List.of(b(h1()), a(h1()), a(h2())),
                        nh(0).zero(0.25, 3).pos(-1, 4, 1, 7, 3, 2).sum(26)),
                arguments("a retry adds nothing", List.of(a(h1()), a(h2()), a(h2())), h2()),
                arguments("a lower count is a restart: the whole new value",
                        List.of(a(h2()), a(h1())), nh(0).zero(0.25, 3).pos(-1, 4, 1, 7, 3, 2).sum(26)),
                arguments("a bucket that lost observations is a restart, though the count grew",
                        List.of(a(h1()), a(nh(0).zero(0.25, 1).pos(-1, 1, 1, 5).sum(6))),
                        nh(0).zero(0.25, 2).pos(-1, 3, 1, 8).sum(12)),
                // the client halved its resolution: H1 at schema 1 is bucket 1 → (1, 1.41], -1 → (0.5, 0.71];
                // at schema 0 they are buckets 1 and 0
                arguments("a coarser schema is compared at that schema",
                        List.of(a(nh(1).zero(0.25, 1).pos(-1, 2, 1, 3).sum(6)), a(nh(0).zero(0.25, 1).pos(0, 2, 1, 5).sum(9))),
                        nh(0).zero(0.25, 1).pos(0, 2, 1, 5).sum(9)),
                arguments("a finer schema is a restart",
                        List.of(a(nh(0).zero(0.25, 1).pos(1, 3).sum(6)), a(nh(1).zero(0.25, 1).pos(1, 2, 2, 3).sum(9))),
                        nh(0).zero(0.25, 2).pos(1, 8).sum(15)),
                // the zero bucket widened to 0.5 swallows bucket -1 (0.25, 0.5]: 1 + 2 of H1 are now zero observations
                arguments("a wider zero bucket: the baseline is widened to it first",
                        List.of(a(h1()), a(nh(0).zero(0.5, 4).pos(1, 4).sum(8))),
                        nh(0).zero(0.5, 4).pos(1, 4).sum(8)),
                arguments("a narrower zero bucket is a restart",
                        List.of(a(nh(0).zero(0.5, 4).pos(1, 4).sum(8)), a(h2())),
                        nh(0).zero(0.5, 8).pos(1, 8, 3, 2).sum(28)),
                arguments("negative buckets grow like positive ones",
                        List.of(a(nh(0).zero(0.25, 0).neg(1, 2).sum(-3)), a(nh(0).zero(0.25, 0).neg(1, 3, 2, 1).sum(-6))),
                        nh(0).zero(0.25, 0).neg(1, 3, 2, 1).sum(-6)),
                arguments("classic buckets alongside grow by the classic rule",
                        List.of(a(h1().classic(1, 4, Double.POSITIVE_INFINITY, 6)), b(h1().classic(1, 4, Double.POSITIVE_INFINITY, 6)),
                                a(h2().classic(1, 5, Double.POSITIVE_INFINITY, 10))),
                        nh(0).zero(0.25, 3).pos(-1, 4, 1, 7, 3, 2).sum(26).classic(1, 9, Double.POSITIVE_INFINITY, 16)),
                arguments("an expired source keeps what it added and counts afresh when it comes back",
                        List.of(a(h1()), EXPIRE, a(h1())), nh(0).zero(0.25, 2).pos(-1, 4, 1, 6).sum(12)),
                arguments("PUT without the series forgets its baseline", List.of(a(h1()), new P("a", null, true), a(h1())),
                        nh(0).zero(0.25, 2).pos(-1, 4, 1, 6).sum(12)),
                arguments("DELETE of the source keeps the sum, forgets the baseline", List.of(a(h1()), DELETE_A, a(h2())),
                        nh(0).zero(0.25, 3).pos(-1, 4, 1, 7, 3, 2).sum(26)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nativeHistogramsFromSources(String name, List<P> pushes, NativeHistogramBuilder expected) throws Exception {
        SourceHarness h = new SourceHarness();
        for (P p : pushes) {
            if (p == EXPIRE) {
                h.advance(Duration.ofMinutes(11));
            } else if (p == DELETE_A) {
                h.deleteSource("a");
            } else if (p.value() == null) {
                h.put(p.source(), List.of(new MetricFamily("other_total", MetricType.COUNTER, "",
                        List.of(new io.aggregationgateway.server.model.ScalarSample(io.aggregationgateway.server.model.Labels.EMPTY, 1)))));
            } else {
                List<MetricFamily> families = List.of(new MetricFamily("nh", MetricType.HISTOGRAM, "", List.of(p.value().build())));
                if (p.put()) {
                    h.put(p.source(), families);
                } else {
                    h.post(p.source(), families);
                }
            }
        }
        NativeHistogram stored = h.aggregator.families().stream().filter(f -> f.name().equals("nh")).findFirst().map(
                f -> ((NativeHistogramView) f.series().get(0)).read()).orElseThrow();
        assertEquals(describe(expected.build()), describe(stored));
    }
}
