package io.aggregationgateway.server.expose;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Push;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Native histograms in the protobuf scrape: exactly the bytes protobuf-java writes for what Prometheus expects. */
class NativeHistogramProtobufTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    private static NativeBuckets buckets(int[] indices, double... counts) {
        return new NativeBuckets(indices, counts);
    }

    private static BucketSpan span(int offset, int length) {
        return BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
    }

    private static byte[] render(MetricType type, NativeHistogram... series) throws Exception {
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.of("job", "j"), List.of(new MetricFamily("rt_seconds", type, "Latency.", List.of(series)))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ProtobufRenderer().render(aggregator.families(), out);
        return out.toByteArray();
    }

    private static byte[] expected(io.aggregationgateway.proto.metrics.MetricType type, Metric.Builder... metrics) throws Exception {
        var family = io.aggregationgateway.proto.metrics.MetricFamily.newBuilder()
                .setName("rt_seconds").setHelp("Latency.").setType(type);
        for (Metric.Builder metric : metrics) {
            family.addMetric(metric);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        family.build().writeDelimitedTo(out);
        return out.toByteArray();
    }

    private static Metric.Builder metric(String path, Histogram.Builder histogram) {
        return Metric.newBuilder()
                .addLabel(LabelPair.newBuilder().setName("job").setValue("j"))
                .addLabel(LabelPair.newBuilder().setName("path").setValue(path))
                .setHistogram(histogram);
    }

    @Test
    void integerHistogramWithDeltasCompactedSpansAndClassicBuckets() throws Exception {
        NativeHistogram h = new NativeHistogram(Labels.of("path", "/a"), 3, 0x1p-128, 2, 17, 12.5,
                buckets(new int[] {-2, -1, 0, 4, 5}, 1, 3, 2, 1, 1),
                buckets(new int[] {1, 3}, 4, 1),
                false,
                new ClassicHistogram(Labels.of("path", "/a"), new double[] {0.5, 1, INF}, new double[] {3, 6, 17}, 17.0, 12.5));
        byte[] bytes = render(MetricType.HISTOGRAM, h);
        assertArrayEquals(expected(io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, metric("/a", Histogram.newBuilder()
                .setSampleCount(17).setSampleSum(12.5)
                .addBucket(Bucket.newBuilder().setCumulativeCount(3).setUpperBound(0.5))
                .addBucket(Bucket.newBuilder().setCumulativeCount(6).setUpperBound(1))
                .setSchema(3).setZeroThreshold(0x1p-128).setZeroCount(2)
                .addNegativeSpan(span(1, 1)).addNegativeSpan(span(1, 1))
                .addNegativeDelta(4).addNegativeDelta(-3)
                .addPositiveSpan(span(-2, 3)).addPositiveSpan(span(3, 2))
                .addPositiveDelta(1).addPositiveDelta(2).addPositiveDelta(-1).addPositiveDelta(-1).addPositiveDelta(0))), bytes);
    }

    @Test
    void floatHistogramWithAbsoluteCounts() throws Exception {
        NativeHistogram h = new NativeHistogram(Labels.of("path", "/f"), -1, 0.001, 0.5, 3.75, -2,
                buckets(new int[] {7}, 2.25), buckets(new int[] {0}, 1), true, null);
        assertArrayEquals(expected(io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, metric("/f", Histogram.newBuilder()
                .setSampleSum(-2).setSampleCountFloat(3.75)
                .setSchema(-1).setZeroThreshold(0.001).setZeroCountFloat(0.5)
                .addNegativeSpan(span(0, 1)).addNegativeCount(1)
                .addPositiveSpan(span(7, 1)).addPositiveCount(2.25))), render(MetricType.HISTOGRAM, h));
    }

    @Test
    void emptyNativeHistogramKeepsANoOpSpan() throws Exception {
        NativeHistogram h = new NativeHistogram(Labels.of("path", "/e"), 8, 0, 0, 0, 0,
                NativeBuckets.EMPTY, NativeBuckets.EMPTY, false, null);
        assertArrayEquals(expected(io.aggregationgateway.proto.metrics.MetricType.GAUGE_HISTOGRAM, metric("/e", Histogram.newBuilder()
                .setSampleCount(0).setSampleSum(0).setSchema(8).setZeroThreshold(0).setZeroCount(0)
                .addPositiveSpan(span(0, 0)))), render(MetricType.GAUGE_HISTOGRAM, h));
    }

    @Test
    void nativeAndClassicSeriesInOneFamily() throws Exception {
        NativeHistogram n = new NativeHistogram(Labels.of("path", "/n"), 0, 0x1p-128, 0, 1, 3,
                buckets(new int[] {2}, 1), NativeBuckets.EMPTY, false, null);
        ClassicHistogram c = new ClassicHistogram(Labels.of("path", "/c"), new double[] {1, INF}, new double[] {1, 2}, 2.0, 1.5);
        Aggregator aggregator = new Aggregator();
        aggregator.push(new Push(Labels.of("job", "j"), List.of(new MetricFamily("rt_seconds", MetricType.HISTOGRAM, "Latency.", List.of(n, c)))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ProtobufRenderer().render(aggregator.families(), out);
        assertArrayEquals(expected(io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM,
                metric("/c", Histogram.newBuilder().setSampleCount(2).setSampleSum(1.5)
                        .addBucket(Bucket.newBuilder().setCumulativeCount(1).setUpperBound(1))),
                metric("/n", Histogram.newBuilder().setSampleCount(1).setSampleSum(3)
                        .setSchema(0).setZeroThreshold(0x1p-128).setZeroCount(0)
                        .addPositiveSpan(span(2, 1)).addPositiveDelta(1))), out.toByteArray());
    }

    /** 2,000 float buckets: the metric's and the histogram's lengths take three bytes, written after their content. */
    @Test
    void largeHistogramWithLengthsOfSeveralBytes() throws Exception {
        int[] indices = new int[2000];
        double[] counts = new double[indices.length];
        Histogram.Builder expected = Histogram.newBuilder();
        double total = 0;
        for (int i = 0; i < indices.length; i++) {
            indices[i] = i;
            counts[i] = i + 0.5;
            total += counts[i];
        }
        NativeHistogram h = new NativeHistogram(Labels.of("path", "/l"), 8, 0x1p-128, 0, total, 1,
                buckets(indices, counts), NativeBuckets.EMPTY, true, null);
        expected.setSampleSum(1).setSampleCountFloat(total).setSchema(8).setZeroThreshold(0x1p-128).setZeroCountFloat(0)
                .addPositiveSpan(span(0, indices.length));
        for (double count : counts) {
            expected.addPositiveCount(count);
        }
        Metric.Builder metric = metric("/l", expected);
        assertEquals(true, metric.build().getSerializedSize() > 16_384);
        assertArrayEquals(expected(io.aggregationgateway.proto.metrics.MetricType.HISTOGRAM, metric),
                render(MetricType.HISTOGRAM, h));
    }

    @Test
    void integerHistogramTooLargeForUint64GoesOutAsFloat() throws Exception {
        NativeHistogram h = new NativeHistogram(Labels.of("path", "/big"), 0, 0, 0, 0x1p64, 1,
                buckets(new int[] {1}, 0x1p64), NativeBuckets.EMPTY, false, null);
        Histogram parsed = io.aggregationgateway.proto.metrics.MetricFamily.parseDelimitedFrom(
                new java.io.ByteArrayInputStream(render(MetricType.HISTOGRAM, h))).getMetric(0).getHistogram();
        assertEquals(0x1p64, parsed.getSampleCountFloat());
        assertEquals(List.of(0x1p64), parsed.getPositiveCountList());
        assertEquals(0, parsed.getPositiveDeltaCount());
    }
}
