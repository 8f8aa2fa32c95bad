package io.aggregationgateway.server.expose;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtobufRendererTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    private static byte[] renderBytes(Aggregator aggregator) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ProtobufRenderer().render(aggregator.families(), out);
        return out.toByteArray();
    }

    private static List<io.aggregationgateway.proto.metrics.MetricFamily> parse(byte[] bytes) throws Exception {
        List<io.aggregationgateway.proto.metrics.MetricFamily> families = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(bytes);
        io.aggregationgateway.proto.metrics.MetricFamily family;
        while ((family = io.aggregationgateway.proto.metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            families.add(family);
        }
        return families;
    }

    private static List<io.aggregationgateway.proto.metrics.MetricFamily> render(Aggregator aggregator) throws Exception {
        return parse(renderBytes(aggregator));
    }

    private static LabelPair pair(String name, String value) {
        return LabelPair.newBuilder().setName(name).setValue(value).build();
    }

    @Test
    void emptyStoreRendersNothing() throws Exception {
        assertEquals(0, renderBytes(new Aggregator()).length);
    }

    @Test
    void scalarFamiliesWithTypesHelpAndLabels() throws Exception {
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.of("job", "j"), List.of(
                new MetricFamily("http_requests_total", MetricType.COUNTER, "Requests \"with\" \\ and\nnewline.", List.of(
                        new ScalarSample(Labels.of("path", "/b", "method", "GET"), 2.5),
                        new ScalarSample(Labels.of("path", "/ü"), 4))),
                new MetricFamily("queue_depth", MetricType.GAUGE, "", List.of(new ScalarSample(Labels.EMPTY, -7.25))),
                new MetricFamily("misc", MetricType.UNTYPED, "Misc.", List.of(new ScalarSample(Labels.EMPTY, 0))))));

        List<io.aggregationgateway.proto.metrics.MetricFamily> families = render(aggregator);

        assertEquals(List.of("http_requests_total", "misc", "queue_depth"),
                families.stream().map(io.aggregationgateway.proto.metrics.MetricFamily::getName).toList());

        var counter = families.get(0);
        assertEquals(io.aggregationgateway.proto.metrics.MetricType.COUNTER, counter.getType());
        assertTrue(counter.hasType(), "COUNTER is 0 but is written explicitly, as client_golang does");
        assertEquals("Requests \"with\" \\ and\nnewline.", counter.getHelp());
        assertEquals(2, counter.getMetricCount());
        Metric first = counter.getMetric(0);
        assertEquals(List.of(pair("job", "j"), pair("method", "GET"), pair("path", "/b")), first.getLabelList());
        assertTrue(first.hasCounter());
        assertFalse(first.hasGauge() || first.hasUntyped() || first.hasHistogram());
        assertEquals(2.5, first.getCounter().getValue());
        assertEquals(List.of(pair("job", "j"), pair("path", "/ü")), counter.getMetric(1).getLabelList());
        assertEquals(4, counter.getMetric(1).getCounter().getValue());

        var untyped = families.get(1);
        assertEquals(io.aggregationgateway.proto.metrics.MetricType.UNTYPED, untyped.getType());
        assertEquals("Misc.", untyped.getHelp());
        assertTrue(untyped.getMetric(0).hasUntyped());
        assertTrue(untyped.getMetric(0).getUntyped().hasValue());
        assertEquals(0, untyped.getMetric(0).getUntyped().getValue());

        var gauge = families.get(2);
        assertEquals(io.aggregationgateway.proto.metrics.MetricType.GAUGE, gauge.getType());
        assertFalse(gauge.hasHelp(), "empty help is left out");
        assertEquals(List.of(pair("job", "j")), gauge.getMetric(0).getLabelList());
        assertEquals(-7.25, gauge.getMetric(0).getGauge().getValue());
    }

    @Test
    void histogramsWithoutInfBucketAndIntegerOrFloatCounts() throws Exception {
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.EMPTY, List.of(
                new MetricFamily("request_duration_seconds", MetricType.HISTOGRAM, "Durations.", List.of(
                        new ClassicHistogram(Labels.of("path", "/int"), new double[] {0.05, 0.5, INF},
                                new double[] {1, 2, 3}, 3.0, 1.2),
                        new ClassicHistogram(Labels.of("path", "/float"), new double[] {0.05, 0.5, INF},
                                new double[] {0, 2.5, 3.5}, 3.5, 0.75))),
                new MetricFamily("queue_wait_seconds", MetricType.GAUGE_HISTOGRAM, "", List.of(
                        new ClassicHistogram(Labels.EMPTY, new double[] {INF}, new double[] {4}, 4.0, 2.0))))));

        List<io.aggregationgateway.proto.metrics.MetricFamily> families = render(aggregator);
        assertEquals(2, families.size());

        var gaugeHistogram = families.get(0);
        assertEquals("queue_wait_seconds", gaugeHistogram.getName());
        assertEquals(io.aggregationgateway.proto.metrics.MetricType.GAUGE_HISTOGRAM, gaugeHistogram.getType());
        Histogram onlyInf = gaugeHistogram.getMetric(0).getHistogram();
        assertEquals(0, onlyInf.getBucketCount(), "the +Inf bucket is implicit");
        assertEquals(4, onlyInf.getSampleCount());
        assertEquals(2.0, onlyInf.getSampleSum());

        var histogram = families.get(1);
        assertEquals(io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, histogram.getType());
        assertEquals("Durations.", histogram.getHelp());
        // series sorted by labels: /float before /int
        Metric floatMetric = histogram.getMetric(0);
        assertEquals(List.of(pair("path", "/float")), floatMetric.getLabelList());
        Histogram floats = floatMetric.getHistogram();
        assertFalse(floats.hasSampleCount());
        assertEquals(3.5, floats.getSampleCountFloat());
        assertEquals(0.75, floats.getSampleSum());
        assertEquals(2, floats.getBucketCount());
        assertEquals(0.05, floats.getBucket(0).getUpperBound());
        assertTrue(floats.getBucket(0).hasCumulativeCount(), "an integral count stays in the integer field");
        assertEquals(0, floats.getBucket(0).getCumulativeCount());
        assertFalse(floats.getBucket(0).hasCumulativeCountFloat());
        assertEquals(0.5, floats.getBucket(1).getUpperBound());
        assertFalse(floats.getBucket(1).hasCumulativeCount());
        assertEquals(2.5, floats.getBucket(1).getCumulativeCountFloat());

        Metric intMetric = histogram.getMetric(1);
        assertEquals(List.of(pair("path", "/int")), intMetric.getLabelList());
        Histogram ints = intMetric.getHistogram();
        assertEquals(3, ints.getSampleCount());
        assertFalse(ints.hasSampleCountFloat());
        assertEquals(1.2, ints.getSampleSum());
        assertEquals(List.of(
                Bucket.newBuilder().setCumulativeCount(1).setUpperBound(0.05).build(),
                Bucket.newBuilder().setCumulativeCount(2).setUpperBound(0.5).build()), ints.getBucketList());
        assertFalse(ints.hasSchema() || ints.hasZeroThreshold() || ints.getPositiveSpanCount() > 0,
                "nothing that would make it a native histogram");
    }

    @Test
    void bytesAreExactlyThoseOfWriteDelimitedTo() throws Exception {
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.of("job", "j"), List.of(
                new MetricFamily("c_total", MetricType.COUNTER, "Help.", List.of(new ScalarSample(Labels.of("a", "1"), 3))),
                new MetricFamily("h", MetricType.HISTOGRAM, "", List.of(new ClassicHistogram(Labels.EMPTY,
                        new double[] {1, 2, INF}, new double[] {1, 1.5, 2.5}, 2.5, 4.0))))));

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        io.aggregationgateway.proto.metrics.MetricFamily.newBuilder()
                .setName("c_total").setHelp("Help.").setType(io.aggregationgateway.proto.metrics.MetricType.COUNTER)
                .addMetric(Metric.newBuilder().addLabel(pair("a", "1")).addLabel(pair("job", "j"))
                        .setCounter(Counter.newBuilder().setValue(3)))
                .build().writeDelimitedTo(expected);
        io.aggregationgateway.proto.metrics.MetricFamily.newBuilder()
                .setName("h").setType(io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM)
                .addMetric(Metric.newBuilder().addLabel(pair("job", "j")).setHistogram(Histogram.newBuilder()
                        .setSampleCountFloat(2.5).setSampleSum(4)
                        .addBucket(Bucket.newBuilder().setCumulativeCount(1).setUpperBound(1))
                        .addBucket(Bucket.newBuilder().setCumulativeCountFloat(1.5).setUpperBound(2))))
                .build().writeDelimitedTo(expected);

        assertArrayEquals(expected.toByteArray(), renderBytes(aggregator));
    }

    @Test
    void familiesLargerThanTheBufferAndHugeLabelValues() throws Exception {
        int n = 3_000; // each family well over the 64 KiB buffer
        List<Series> counters = new ArrayList<>(n);
        List<Series> histograms = new ArrayList<>(n);
        double[] bounds = {0.1, 1, 10, INF};
        for (int i = 0; i < n; i++) {
            counters.add(new ScalarSample(Labels.of("instance", "host-" + i, "zone", "z" + (i % 7)), i));
            histograms.add(new ClassicHistogram(Labels.of("instance", "host-" + i), bounds,
                    new double[] {i % 2, i % 2, 1, 1 + i}, 1.0 + i, i / 2.0));
        }
        String big = "v".repeat(200_000);
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.EMPTY, List.of(
                new MetricFamily("a_big_label", MetricType.GAUGE, "", List.of(new ScalarSample(Labels.of("big", big), 1))),
                new MetricFamily("b_total", MetricType.COUNTER, "", counters),
                new MetricFamily("c_seconds", MetricType.HISTOGRAM, "", histograms),
                new MetricFamily("d_big_histogram", MetricType.HISTOGRAM, "", List.of(new ClassicHistogram(
                        Labels.of("big", big), bounds, new double[] {0, 0, 0, 1}, 1.0, 1.0))))));

        List<io.aggregationgateway.proto.metrics.MetricFamily> families = render(aggregator);

        assertEquals(4, families.size());
        assertEquals(big, families.get(0).getMetric(0).getLabel(0).getValue());
        var counterFamily = families.get(1);
        assertEquals(n, counterFamily.getMetricCount());
        double total = 0;
        for (Metric metric : counterFamily.getMetricList()) {
            assertEquals(2, metric.getLabelCount());
            total += metric.getCounter().getValue();
        }
        assertEquals((double) n * (n - 1) / 2, total);
        var histogramFamily = families.get(2);
        assertEquals(n, histogramFamily.getMetricCount());
        long counts = 0;
        for (Metric metric : histogramFamily.getMetricList()) {
            assertEquals(3, metric.getHistogram().getBucketCount());
            counts += metric.getHistogram().getSampleCount();
        }
        assertEquals((long) n * (n + 1) / 2, counts);
        assertEquals(big, families.get(3).getMetric(0).getLabel(0).getValue());
        assertEquals(1, families.get(3).getMetric(0).getHistogram().getSampleCount());
    }

    @Test
    void integralMeansExactlyRepresentableAsUint64() {
        assertTrue(ProtobufRenderer.isIntegral(0));
        assertTrue(ProtobufRenderer.isIntegral(-0.0));
        assertTrue(ProtobufRenderer.isIntegral(1e15));
        assertTrue(ProtobufRenderer.isIntegral(0x1p62));
        assertFalse(ProtobufRenderer.isIntegral(0x1p63));
        assertFalse(ProtobufRenderer.isIntegral(1e20));
        assertFalse(ProtobufRenderer.isIntegral(0.5));
        assertFalse(ProtobufRenderer.isIntegral(-1));
        assertFalse(ProtobufRenderer.isIntegral(Double.NaN));
        assertFalse(ProtobufRenderer.isIntegral(INF));
    }

    @Test
    void startsAsCreatedTimestampsByteForByteAsProtobufJavaWritesThem() throws Exception {
        for (long start : new long[] {1_700_000_000_000L, 1_700_000_000_001L, 999L, 0L}) {
            Aggregator aggregator = new Aggregator(io.aggregationgateway.server.aggregate.EngineSettings.unlimited(""), () -> start);
            aggregator.push(new Push(Labels.EMPTY, List.of(
                    new MetricFamily("c_total", MetricType.COUNTER, "", List.of(new ScalarSample(Labels.of("a", "1"), 2))),
                    new MetricFamily("h", MetricType.HISTOGRAM, "", List.of(new ClassicHistogram(Labels.EMPTY,
                            new double[] {1, INF}, new double[] {1, 2}, 2.0, 1.5))),
                    new MetricFamily("g", MetricType.GAUGE, "", List.of(new ScalarSample(Labels.EMPTY, 1))))));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ProtobufRenderer.WITH_CREATED.render(aggregator.families(), out);
            List<io.aggregationgateway.proto.metrics.MetricFamily> families = parse(out.toByteArray());
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            for (var family : families) {
                family.writeDelimitedTo(again);
            }
            assertArrayEquals(again.toByteArray(), out.toByteArray(), "start " + start);
            com.google.protobuf.Timestamp expected = com.google.protobuf.Timestamp.newBuilder()
                    .setSeconds(start / 1000).setNanos((int) (start % 1000) * 1_000_000).build();
            assertEquals(expected, families.get(0).getMetric(0).getCounter().getCreatedTimestamp());
            assertTrue(families.get(0).getMetric(0).getCounter().hasCreatedTimestamp());
            assertEquals(expected, families.get(2).getMetric(0).getHistogram().getCreatedTimestamp());
            assertTrue(families.get(2).getMetric(0).getHistogram().hasCreatedTimestamp());
        }
    }
}
