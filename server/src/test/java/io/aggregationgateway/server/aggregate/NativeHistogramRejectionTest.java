package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.expose.TextFormatRenderer;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SeriesView;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static io.aggregationgateway.server.aggregate.NativeHistogramBuilder.nh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Invalid native histograms and pushes of the other histogram kind are refused whole, with
 * family, series and reason, and leave the store as it was.
 */
class NativeHistogramRejectionTest {
    private static final double INF = Double.POSITIVE_INFINITY;
    private Aggregator aggregator;
    private String before;

    @BeforeEach
    void store() throws Exception {
        aggregator = new Aggregator();
        aggregator.push(push(
                family("jobs_total", MetricType.COUNTER, new ScalarSample(Labels.EMPTY, 1)),
                family("native", MetricType.HISTOGRAM, nh(3).labels("k", "n").zero(0.001, 1).pos(1, 2).sum(3).build()),
                family("classic", MetricType.HISTOGRAM, new ClassicHistogram(Labels.of("k", "c"),
                        new double[] {1, INF}, new double[] {1, 2}, 2.0, 3.0))));
        before = text();
    }

    static Stream<Arguments> invalid() {
        String series = "family h, series {k=\"v\"}: native histogram: ";
        return Stream.of(
                arguments(nh(9).pos(1, 1), series + "schema 9 is outside -4..8"),
                arguments(nh(-5).pos(1, 1), series + "schema -5 is outside -4..8"),
                arguments(nh(0).zero(Double.NaN, 0), series + "zero threshold NaN is not a finite, non-negative number"),
                arguments(nh(0).zero(-1, 0), series + "zero threshold -1.0 is not a finite, non-negative number"),
                arguments(nh(0).zero(0.1, -2).count(0), series + "zero count -2.0 is not a finite, non-negative number"),
                arguments(nh(0).pos(1, 2).count(-1), series + "count -1.0 is not a finite, non-negative number"),
                arguments(nh(0).pos(1, 2).sum(Double.POSITIVE_INFINITY), series + "sum Infinity cannot be added up"),
                arguments(nh(0).pos(1, 3, 2, -1), series + "positive bucket 2 has count -1.0 (must be finite and not negative)"),
                arguments(nh(0).neg(4, Double.NaN).count(1), series + "negative bucket 4 has count NaN (must be finite and not negative)"),
                arguments(nh(0).pos(2, 1, 1, 1), series
                        + "positive spans overlap or go backwards (bucket index 1 after 2; only the first span may have a negative offset)"),
                arguments(nh(0).pos(5, 1, 5, 1), series
                        + "positive spans overlap or go backwards (bucket index 5 after 5; only the first span may have a negative offset)"),
                arguments(nh(0).pos(1 << 21, 1), series + "positive bucket index 2097152 is out of range (at most 1048576 either way)"),
                arguments(nh(0).zero(0.1, 1).pos(1, 2).neg(1, 3).count(5),
                        series + "count 5.0 is less than the 6.0 observations in its buckets (zero bucket included)"),
                arguments(nh(0).pos(1, 2).classic(1, 1, INF, 3),
                        "family h, series {k=\"v\"}: _count 2.0 differs from the +Inf bucket 3.0"),
                arguments(nh(0).pos(1, 2).classic(1, 2, 2, 1),
                        "family h, series {k=\"v\"}: buckets are not cumulative: le=2.0 has 1.0, less than le=1.0 with 2.0"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalid")
    void invalidNativeHistogramIsRejectedAndNothingApplied(NativeHistogramBuilder bad, String message) throws Exception {
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> aggregator.push(push(
                family("jobs_total", MetricType.COUNTER, new ScalarSample(Labels.EMPTY, 100)),
                family("h", MetricType.HISTOGRAM, bad.labels("k", "v").build()))));
        assertEquals(RejectionReason.INVALID_HISTOGRAM, e.reason());
        assertEquals(message, e.getMessage());
        assertEquals(before, text());
    }

    @Test
    void nativeHistogramOutsideAHistogramFamily() {
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> aggregator.push(push(
                family("g", MetricType.GAUGE, nh(0).pos(1, 1).build()))));
        assertEquals(RejectionReason.INVALID_VALUE, e.reason());
        assertEquals("family g, series {}: a native histogram in a gauge family", e.getMessage());
    }

    @Test
    void classicOnlyPushToANativeSeriesIsRefused() throws Exception {
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> aggregator.push(push(
                family("jobs_total", MetricType.COUNTER, new ScalarSample(Labels.EMPTY, 100)),
                family("native", MetricType.HISTOGRAM, new ClassicHistogram(Labels.of("k", "n"),
                        new double[] {INF}, new double[] {1}, 1.0, 1.0)))));
        assertEquals(RejectionReason.TYPE_CONFLICT, e.reason());
        assertEquals("family native, series {k=\"n\"}: pushed as a classic histogram but the gateway holds it as a "
                + "native histogram (send its native buckets; classic buckets may come along)", e.getMessage());
        assertEquals(before, text());
    }

    @Test
    void nativePushToAClassicSeriesIsRefused() throws Exception {
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> aggregator.push(push(
                family("jobs_total", MetricType.COUNTER, new ScalarSample(Labels.EMPTY, 100)),
                family("brand_new", MetricType.HISTOGRAM, nh(0).pos(1, 1).build()),
                family("classic", MetricType.HISTOGRAM, nh(0).labels("k", "c").pos(1, 1).build()))));
        assertEquals(RejectionReason.TYPE_CONFLICT, e.reason());
        assertEquals("family classic, series {k=\"c\"}: pushed as a native histogram but the gateway holds it as a "
                + "classic histogram", e.getMessage());
        assertEquals(before, text());
        // the refused push created nothing, not even an empty family fixing brand_new's type
        aggregator.push(push(family("brand_new", MetricType.GAUGE, new ScalarSample(Labels.EMPTY, 1))));
    }

    @Test
    void otherSeriesOfTheFamilyMayBeOfTheOtherKind() throws Exception {
        aggregator.push(push(family("native", MetricType.HISTOGRAM, new ClassicHistogram(Labels.of("k", "other"),
                new double[] {INF}, new double[] {1}, 1.0, 1.0))));
        aggregator.push(push(family("classic", MetricType.HISTOGRAM, nh(0).labels("k", "other").pos(1, 1).build())));
        assertEquals(5, aggregator.seriesCount());
    }

    @Test
    void theCellsTakeAPushOfTheOtherKindThatWonNoRaceByItsClassicView() {
        // what happens to the loser when two pushes of different kinds create one series at once
        NativeHistogramCell nativeCell = new NativeHistogramCell(nh(0).zero(0.001, 0).pos(1, 2).sum(3).build(), 0);
        nativeCell.add(new ClassicHistogram(Labels.EMPTY, new double[] {1, INF}, new double[] {1, 1}, 1.0, 0.5), new PushTally());
        HistogramValues classicOfNative = nativeCell.readClassic();
        assertEquals(3.0, classicOfNative.count());
        assertEquals(3.5, classicOfNative.sum());
        assertEquals(List.of(1.0, INF), List.of(classicOfNative.bounds()[0], classicOfNative.bounds()[1]));
        assertEquals(List.of(1.0, 3.0), List.of(classicOfNative.cumulative()[0], classicOfNative.cumulative()[1]));

        HistogramCell classicCell = new HistogramCell(new ClassicHistogram(Labels.EMPTY, new double[] {1, INF},
                new double[] {1, 1}, 1.0, 0.5), 0);
        classicCell.add(nh(0).zero(0.001, 0).pos(1, 2).sum(3).build(), new PushTally());
        HistogramValues values = classicCell.read();
        assertEquals(3.0, values.count());
        assertEquals(List.of(1.0, 3.0), List.of(values.cumulative()[0], values.cumulative()[1]));
    }

    private static MetricFamily family(String name, MetricType type, Series series) {
        return new MetricFamily(name, type, "", List.of(series));
    }

    private static Push push(MetricFamily... families) {
        return new Push(Labels.EMPTY, List.of(families));
    }

    private String text() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TextFormatRenderer().render(aggregator.families(), out);
        // the text format shows no native buckets: compare the stored native value too
        StringBuilder all = new StringBuilder(out.toString(StandardCharsets.UTF_8));
        for (FamilyView family : aggregator.families()) {
            for (SeriesView cell : family.series()) {
                if (cell instanceof NativeHistogramCell n) {
                    all.append(NativeHistogramBuilder.describe(n.read())).append('\n');
                }
            }
        }
        return all.toString();
    }
}
