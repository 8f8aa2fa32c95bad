package io.aggregationgateway.server.hostile;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.metrics.Quantile;
import io.aggregationgateway.proto.metrics.Summary;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Valid push bodies of every format, the material the mutations start from. */
final class SeedBodies {
    static final String TEXT_TYPE = "text/plain; version=0.0.4";
    static final String OPENMETRICS_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String PROTOBUF_TYPE = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    /** A body and the Content-Type it is valid as. */
    record Seed(String name, String contentType, byte[] body) {
    }

    private SeedBodies() {
    }

    static List<Seed> all() {
        return List.of(
                new Seed("text", TEXT_TYPE, utf8("""
                        # HELP requests_total Requests served, by "code".
                        # TYPE requests_total counter
                        requests_total{code="200",path="/a\\\\b\\"c\\n"} 1027
                        requests_total{code="500"} 3 1700000000000
                        # TYPE temperature gauge
                        temperature{room="k\u00fcche"} -4.5e1
                        # TYPE latency_seconds histogram
                        latency_seconds_bucket{le="0.1"} 2
                        latency_seconds_bucket{le="1"} 5
                        latency_seconds_bucket{le="+Inf"} 6
                        latency_seconds_sum 3.25
                        latency_seconds_count 6
                        # TYPE rpc summary
                        rpc{quantile="0.5"} 0.2
                        rpc_sum 9
                        rpc_count 40
                        plain_untyped 17
                        """)),
                new Seed("openmetrics", OPENMETRICS_TYPE, utf8("""
                        # TYPE jobs counter
                        # HELP jobs Jobs done.
                        jobs_total{queue="mail"} 5 # {trace_id="abc"} 1.0
                        jobs_created{queue="mail"} 1.7e9
                        # TYPE size gauge
                        # UNIT size bytes
                        size{disk="a"} 1024
                        # TYPE wait histogram
                        wait_bucket{le="0.5"} 1
                        wait_bucket{le="+Inf"} 2
                        wait_count 2
                        wait_sum 0.75
                        # TYPE queue gaugehistogram
                        queue_bucket{le="10"} 3
                        queue_bucket{le="+Inf"} 4
                        queue_gcount 4
                        queue_gsum 12
                        # EOF
                        """)),
                new Seed("protobuf", PROTOBUF_TYPE, delimited(List.of(
                        family("proto_requests_total", "Requests.", MetricType.COUNTER,
                                metric("code", "200").setCounter(Counter.newBuilder().setValue(12))),
                        family("proto_temperature", "", MetricType.GAUGE,
                                metric("room", "hall").setGauge(Gauge.newBuilder().setValue(21.5))),
                        family("proto_latency", "", MetricType.HISTOGRAM, metric("route", "/").setHistogram(
                                Histogram.newBuilder().setSampleCount(4).setSampleSum(2.5)
                                        .addBucket(Bucket.newBuilder().setUpperBound(0.5).setCumulativeCount(1))
                                        .addBucket(Bucket.newBuilder().setUpperBound(1).setCumulativeCount(3)))),
                        family("proto_native", "", MetricType.HISTOGRAM, metric().setHistogram(
                                Histogram.newBuilder().setSampleCount(5).setSampleSum(7).setSchema(2)
                                        .setZeroThreshold(1e-9).setZeroCount(1)
                                        .addPositiveSpan(BucketSpan.newBuilder().setOffset(1).setLength(2))
                                        .addPositiveDelta(2).addPositiveDelta(-1)
                                        .addNegativeSpan(BucketSpan.newBuilder().setOffset(-1).setLength(1))
                                        .addNegativeDelta(1))),
                        family("proto_rpc", "", MetricType.SUMMARY, metric().setSummary(Summary.newBuilder()
                                .setSampleCount(3).setSampleSum(1)
                                .addQuantile(Quantile.newBuilder().setQuantile(0.9).setValue(0.5))))))));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MetricFamily family(String name, String help, MetricType type, Metric.Builder metric) {
        return MetricFamily.newBuilder().setName(name).setHelp(help).setType(type).addMetric(metric).build();
    }

    private static Metric.Builder metric(String... labels) {
        Metric.Builder metric = Metric.newBuilder();
        for (int i = 0; i < labels.length; i += 2) {
            metric.addLabel(LabelPair.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
        }
        return metric;
    }

    private static byte[] delimited(List<MetricFamily> families) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (MetricFamily family : families) {
                family.writeDelimitedTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
