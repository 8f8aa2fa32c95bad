package io.aggregationgateway.bench;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The push bodies of the load workloads, built deterministically so that every run, every
 * connection and every format pushes exactly the same series. Pushing the same series again and
 * again keeps the store bounded, which is what aggregation looks like in production: many
 * senders, one shared set of series.
 */
public enum Workload {
    /** 10 counters per push: a small app or a browser flushing its counters. */
    SMALL("small") {
        @Override
        public List<MetricFamily> families() {
            List<MetricFamily> families = new ArrayList<>();
            for (int f = 0; f < 10; f++) {
                families.add(counterFamily("app_event_" + f + "_total", List.of(
                        counter(f + 1, "status", "ok"))));
            }
            return families;
        }
    },
    /** 1,000 counter series with 3 labels each: a busy service's request counters. */
    ONE_K("1k") {
        @Override
        public List<MetricFamily> families() {
            List<MetricFamily> families = new ArrayList<>();
            for (int f = 0; f < 10; f++) {
                List<Metric> metrics = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    // path x method gives 100 distinct label sets per family; status follows from them
                    metrics.add(counter(i + 1,
                            "method", METHODS[i / 25],
                            "path", "/api/v1/resource/" + (i % 25),
                            "status", STATUSES[i % STATUSES.length]));
                }
                families.add(counterFamily("http_requests_" + f + "_total", metrics));
            }
            return families;
        }
    },
    /** 20 classic histogram series with 12 buckets each (11 bounds and {@code +Inf}). */
    HIST("hist") {
        @Override
        public List<MetricFamily> families() {
            List<MetricFamily> families = new ArrayList<>();
            for (int f = 0; f < 2; f++) {
                List<Metric> metrics = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    metrics.add(histogram(i, "method", METHODS[i % METHODS.length], "route", "/api/v1/route/" + i));
                }
                families.add(MetricFamily.newBuilder()
                        .setName("http_request_duration_" + f + "_seconds")
                        .setHelp("Request latency.")
                        .setType(MetricType.HISTOGRAM)
                        .addAllMetric(metrics)
                        .build());
            }
            return families;
        }
    },
    /**
     * 20 native histogram series with classic buckets alongside, as client_java 1.x pushes them
     * ({@link ClientJavaHistograms}): about 200 native buckets per series in some 30 spans, plus
     * 12 classic buckets. There is no text form: text carries no native buckets.
     */
    NATIVE("native") {
        @Override
        public List<MetricFamily> families() {
            List<MetricFamily> families = new ArrayList<>();
            try (InputStream in = new ByteArrayInputStream(protobufBody())) {
                MetricFamily family;
                while ((family = MetricFamily.parseDelimitedFrom(in)) != null) {
                    families.add(family);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e); // client_java's bytes, read from memory
            }
            return families;
        }

        /** client_java's own bytes, as its {@code PushGateway} sends them. */
        @Override
        public byte[] protobufBody() {
            return ClientJavaHistograms.protobufBody();
        }

        @Override
        public boolean hasText() {
            return false;
        }
    };

    /** The finite bounds of {@link #HIST}'s buckets: the client libraries' default buckets. */
    static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE"};
    private static final String[] STATUSES = {"200", "201", "404", "500", "503"};

    private final String id;

    Workload(String id) {
        this.id = id;
    }

    /** The name bench/run and the results table use: {@code small}, {@code 1k}, {@code hist}, {@code native}. */
    public String id() {
        return id;
    }

    /** The families of one push. */
    public abstract List<MetricFamily> families();

    /** One push as a protobuf-delimited body. */
    public byte[] protobufBody() {
        return BodyEncoding.protobufDelimited(families());
    }

    /** Whether the workload has a text form (native histograms have none). */
    public boolean hasText() {
        return true;
    }

    /**
     * Samples per push as the text format counts them: one per counter, and per histogram one per
     * bucket ({@code +Inf} included) plus {@code _sum} and {@code _count}; a native histogram's
     * buckets are counted the same way, one per populated bucket (zero bucket included).
     */
    public int samplesPerPush() {
        int samples = 0;
        for (MetricFamily family : families()) {
            for (Metric metric : family.getMetricList()) {
                if (metric.hasHistogram()) {
                    var h = metric.getHistogram();
                    samples += nativeBuckets(h);
                    if (h.getBucketCount() == 0) {
                        samples += 2;
                        continue;
                    }
                    boolean explicitInf = Double.isInfinite(h.getBucket(h.getBucketCount() - 1).getUpperBound());
                    samples += h.getBucketCount() + (explicitInf ? 0 : 1) + 2;
                } else {
                    samples++;
                }
            }
        }
        return samples;
    }

    /** The populated native buckets of {@code h}: non-zero counts (deltas add up to them) and the zero bucket. */
    private static int nativeBuckets(Histogram h) {
        int populated = h.getZeroCount() > 0 || h.getZeroCountFloat() > 0 ? 1 : 0;
        for (List<Long> deltas : List.of(h.getPositiveDeltaList(), h.getNegativeDeltaList())) {
            long count = 0;
            for (long delta : deltas) {
                count += delta;
                populated += count != 0 ? 1 : 0;
            }
        }
        for (List<Double> counts : List.of(h.getPositiveCountList(), h.getNegativeCountList())) {
            for (double count : counts) {
                populated += count != 0 ? 1 : 0;
            }
        }
        return populated;
    }

    public static Workload byId(String id) {
        for (Workload w : values()) {
            if (w.id.equals(id.toLowerCase(Locale.ROOT))) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload " + id + " (small, 1k, hist, native)");
    }

    static MetricFamily counterFamily(String name, List<Metric> metrics) {
        return MetricFamily.newBuilder()
                .setName(name)
                .setHelp("Benchmark counter.")
                .setType(MetricType.COUNTER)
                .addAllMetric(metrics)
                .build();
    }

    static Metric counter(double value, String... namesAndValues) {
        return Metric.newBuilder()
                .addAllLabel(labels(namesAndValues))
                .setCounter(Counter.newBuilder().setValue(value))
                .build();
    }

    private static Metric histogram(int seed, String... namesAndValues) {
        Histogram.Builder h = Histogram.newBuilder();
        long cumulative = 0;
        for (int b = 0; b < BOUNDS.length; b++) {
            cumulative += 1 + (seed + b) % 4;
            h.addBucket(Bucket.newBuilder().setUpperBound(BOUNDS[b]).setCumulativeCount(cumulative));
        }
        long count = cumulative + 1 + seed % 3;
        h.addBucket(Bucket.newBuilder().setUpperBound(Double.POSITIVE_INFINITY).setCumulativeCount(count));
        h.setSampleCount(count).setSampleSum(count * 0.125);
        return Metric.newBuilder().addAllLabel(labels(namesAndValues)).setHistogram(h).build();
    }

    static List<LabelPair> labels(String... namesAndValues) {
        List<LabelPair> labels = new ArrayList<>(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            labels.add(LabelPair.newBuilder().setName(namesAndValues[i]).setValue(namesAndValues[i + 1]).build());
        }
        return labels;
    }
}
