package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.metrics.Quantile;
import io.aggregationgateway.proto.metrics.Summary;
import io.aggregationgateway.proto.metrics.Untyped;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Pushes a simpleclient ({@code io.prometheus:simpleclient}, the legacy Prometheus Java library)
 * {@link CollectorRegistry}. simpleclient is an optional dependency of this library: add it to
 * your build to use this class, the only one here that needs it.
 *
 * <pre>{@code
 * PushClient client = PushClient.builder().target("localhost:8080").job("mailer")
 *         .source(CollectorRegistrySource.of(CollectorRegistry.defaultRegistry))
 *         .build();
 * }</pre>
 *
 * <p>A registry holds running totals, so it is pushed as increments (see {@link MetricsSource}).
 * On every push its samples become {@code MetricFamily} messages, named and typed as Prometheus
 * would scrape them:
 * <ul>
 *   <li>Counter {@code x}: family {@code x_total} (its samples' name); {@code x_created} is not sent.</li>
 *   <li>Gauge: gauge. Untyped ({@code UNKNOWN}): untyped.</li>
 *   <li>Histogram and gauge histogram: one metric per label set with the cumulative buckets
 *       (including {@code +Inf}), the count and the sum; {@code _created} is not sent.</li>
 *   <li>Summary: count, sum and quantiles; {@code _created} is not sent. (The gateway discards
 *       summaries, since quantiles cannot be added up.)</li>
 *   <li>Info {@code x}: gauge {@code x_info} of value 1. State set {@code x}: gauge {@code x} with a
 *       series per state, 1 for the current one and 0 for the others.</li>
 * </ul>
 * Labels with an empty value are left out (Prometheus treats them as absent), so are
 * timestamps and exemplars (the gateway drops them).
 *
 * <p>This is a class of its own, not an overload in {@link PushClientBuilder}, so that code using
 * only client_java 1.x compiles and runs without simpleclient on its class path.
 */
public final class CollectorRegistrySource {
    private CollectorRegistrySource() {
    }

    /**
     * A source reading {@code registry} on every push, pushed as increments.
     *
     * @param registry the registry, for example {@link CollectorRegistry#defaultRegistry}
     * @return a source for {@link PushClientBuilder#source(MetricsSource)}
     */
    public static MetricsSource of(CollectorRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return MetricsSource.ofRunningTotals(() -> convert(registry));
    }

    /** Converts everything the registry currently holds: one family per metric (per sample name for counters). */
    static List<MetricFamily> convert(CollectorRegistry registry) {
        return convert(registry.metricFamilySamples());
    }

    /** Converts families read from a registry, in their order. */
    static List<MetricFamily> convert(Enumeration<Collector.MetricFamilySamples> samples) {
        List<MetricFamily> families = new ArrayList<>();
        while (samples.hasMoreElements()) {
            Collector.MetricFamilySamples family = samples.nextElement();
            switch (family.type) {
                case COUNTER -> scalars(families, family, MetricType.COUNTER);
                case GAUGE, INFO, STATE_SET -> scalars(families, family, MetricType.GAUGE);
                case UNKNOWN -> scalars(families, family, MetricType.UNTYPED);
                case HISTOGRAM -> families.add(histogram(family, MetricType.HISTOGRAM, "_count", "_sum"));
                case GAUGE_HISTOGRAM -> families.add(histogram(family, MetricType.GAUGE_HISTOGRAM, "_gcount", "_gsum"));
                case SUMMARY -> families.add(summary(family));
            }
        }
        return families;
    }

    /**
     * Counters, gauges, untyped, info and state sets: one family per sample name, so counter
     * {@code x} becomes {@code x_total}, info {@code x} becomes {@code x_info}, and a collector
     * that puts samples of several names into one family keeps all of them.
     */
    private static void scalars(List<MetricFamily> out, Collector.MetricFamilySamples family, MetricType type) {
        String created = family.name + "_created";
        Map<String, MetricFamily.Builder> byName = new LinkedHashMap<>();
        for (Collector.MetricFamilySamples.Sample sample : family.samples) {
            if (sample.name.equals(created)) {
                continue; // the gateway drops _created anyway: a start time cannot be added up
            }
            MetricFamily.Builder builder = byName.computeIfAbsent(sample.name, name -> newFamily(name, type, family));
            Metric.Builder metric = Metric.newBuilder().addAllLabel(LabelPairs.of(sample.labelNames, sample.labelValues, null));
            switch (type) {
                case COUNTER -> metric.setCounter(Counter.newBuilder().setValue(sample.value));
                case GAUGE -> metric.setGauge(Gauge.newBuilder().setValue(sample.value));
                default -> metric.setUntyped(Untyped.newBuilder().setValue(sample.value));
            }
            builder.addMetric(metric);
        }
        byName.values().forEach(builder -> out.add(builder.build()));
    }

    private static MetricFamily histogram(Collector.MetricFamilySamples family, MetricType type,
                                          String countSuffix, String sumSuffix) {
        String bucketName = family.name + "_bucket";
        String countName = family.name + countSuffix;
        String sumName = family.name + sumSuffix;
        Map<List<LabelPair>, HistogramParts> series = new LinkedHashMap<>();
        for (Collector.MetricFamilySamples.Sample sample : family.samples) {
            List<LabelPair> labels = LabelPairs.of(sample.labelNames, sample.labelValues, "le");
            if (sample.name.equals(bucketName)) {
                double le = parseBound(sample.labelValues.get(sample.labelNames.indexOf("le")));
                series.computeIfAbsent(labels, l -> new HistogramParts()).buckets.put(le, sample.value);
            } else if (sample.name.equals(countName)) {
                series.computeIfAbsent(labels, l -> new HistogramParts()).count = sample.value;
            } else if (sample.name.equals(sumName)) {
                series.computeIfAbsent(labels, l -> new HistogramParts()).sum = sample.value;
            } // _created and anything else: not part of the histogram
        }
        MetricFamily.Builder builder = newFamily(family.name, type, family);
        series.forEach((labels, parts) -> builder.addMetric(Metric.newBuilder().addAllLabel(labels).setHistogram(parts.toProto())));
        return builder.build();
    }

    private static MetricFamily summary(Collector.MetricFamilySamples family) {
        String countName = family.name + "_count";
        String sumName = family.name + "_sum";
        Map<List<LabelPair>, Summary.Builder> series = new LinkedHashMap<>();
        for (Collector.MetricFamilySamples.Sample sample : family.samples) {
            List<LabelPair> labels = LabelPairs.of(sample.labelNames, sample.labelValues, "quantile");
            Summary.Builder summary = null;
            if (sample.name.equals(family.name)) {
                int index = sample.labelNames.indexOf("quantile");
                if (index >= 0) {
                    summary = series.computeIfAbsent(labels, l -> Summary.newBuilder());
                    summary.addQuantile(Quantile.newBuilder()
                            .setQuantile(parseBound(sample.labelValues.get(index))).setValue(sample.value));
                }
            } else if (sample.name.equals(countName)) {
                series.computeIfAbsent(labels, l -> Summary.newBuilder()).setSampleCount(Counts.summaryCount(sample.value));
            } else if (sample.name.equals(sumName)) {
                series.computeIfAbsent(labels, l -> Summary.newBuilder()).setSampleSum(sample.value);
            }
        }
        MetricFamily.Builder builder = newFamily(family.name, MetricType.SUMMARY, family);
        series.forEach((labels, summary) -> builder.addMetric(Metric.newBuilder().addAllLabel(labels).setSummary(summary)));
        return builder.build();
    }

    private static MetricFamily.Builder newFamily(String name, MetricType type, Collector.MetricFamilySamples family) {
        MetricFamily.Builder builder = MetricFamily.newBuilder().setName(name).setType(type);
        if (family.help != null && !family.help.isEmpty()) {
            builder.setHelp(family.help);
        }
        if (family.unit != null && !family.unit.isEmpty()) {
            builder.setUnit(family.unit);
        }
        return builder;
    }

    /** An {@code le} or {@code quantile} label value as the text format writes it ({@code +Inf}, {@code 0.5}). */
    static double parseBound(String value) {
        return switch (value) {
            case "+Inf", "Inf", "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-Inf", "-inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(value);
        };
    }

    /** The samples of one histogram series, gathered before they become a message. */
    private static final class HistogramParts {
        final TreeMap<Double, Double> buckets = new TreeMap<>(); // upper bound -> cumulative count, ascending
        Double count;
        double sum;

        Histogram toProto() {
            Histogram.Builder histogram = Histogram.newBuilder().setSampleSum(sum);
            buckets.forEach((le, cumulative) -> histogram.addBucket(Counts.bucket(le, cumulative)));
            Double total = count != null ? count : buckets.get(Double.POSITIVE_INFINITY);
            if (total != null) {
                Counts.setSampleCount(histogram, total);
            }
            return histogram.build();
        }
    }
}
