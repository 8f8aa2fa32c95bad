package io.aggregationgateway.server.e2e;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Builds client_model {@code MetricFamily} messages, as the Go and Java clients push them. */
final class ProtoFamilies {
    private ProtoFamilies() {
    }

    /** @param labels name, value, name, value, ... */
    static MetricFamily counter(String name, String help, double value, String... labels) {
        return family(name, help, MetricType.COUNTER, metric(labels).setCounter(Counter.newBuilder().setValue(value)));
    }

    static MetricFamily gauge(String name, double value, String... labels) {
        return family(name, "", MetricType.GAUGE, metric(labels).setGauge(Gauge.newBuilder().setValue(value)));
    }

    /**
     * A classic histogram written as client_golang writes it: no {@code +Inf} bucket, the count carries it.
     *
     * @param bucketBoundsAndCounts upper bound, cumulative count, upper bound, cumulative count, ...
     */
    static MetricFamily histogram(String name, long count, double sum, double... bucketBoundsAndCounts) {
        Histogram.Builder histogram = Histogram.newBuilder().setSampleCount(count).setSampleSum(sum);
        for (int i = 0; i < bucketBoundsAndCounts.length; i += 2) {
            histogram.addBucket(Bucket.newBuilder().setUpperBound(bucketBoundsAndCounts[i])
                    .setCumulativeCount((long) bucketBoundsAndCounts[i + 1]));
        }
        return family(name, "", MetricType.HISTOGRAM, Metric.newBuilder().setHistogram(histogram));
    }

    /** The body of a protobuf-delimited HTTP push. */
    static byte[] delimited(MetricFamily... families) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (MetricFamily family : families) {
            family.writeDelimitedTo(out);
        }
        return out.toByteArray();
    }

    private static Metric.Builder metric(String... labels) {
        Metric.Builder metric = Metric.newBuilder();
        for (int i = 0; i < labels.length; i += 2) {
            metric.addLabel(LabelPair.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
        }
        return metric;
    }

    private static MetricFamily family(String name, String help, MetricType type, Metric.Builder metric) {
        return MetricFamily.newBuilder().setName(name).setHelp(help).setType(type).addMetric(metric).build();
    }
}
