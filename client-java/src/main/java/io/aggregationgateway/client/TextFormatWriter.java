package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.Quantile;
import io.aggregationgateway.proto.metrics.Summary;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.exporter.common.TextFormat;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The body of a {@link Transport#HTTP_TEXT} push: Prometheus text format 0.0.4, written by
 * simpleclient_common's {@link TextFormat#write004} (an optional dependency, with simpleclient).
 *
 * <p>The writing (HELP and TYPE lines, escaping, numbers as Go's parser reads them) is the
 * library's. What is here maps metrics.proto families onto the library's samples, and decides
 * what the text format cannot carry as metrics.proto does:
 * <ul>
 *   <li>Histograms: a {@code _bucket} sample per bucket with its {@code le} label, the
 *       {@code +Inf} bucket added when the message leaves it to the count (protobuf may, text may
 *       not), {@code _sum} and {@code _count}.</li>
 *   <li>Gauge histograms: the format has no such type, so they go as histograms (the library's
 *       gauge histogram would put {@code _gcount} and {@code _gsum} in gauges of their own).</li>
 *   <li>Native histograms: the format has no native buckets, so only their count (as the
 *       {@code +Inf} bucket) and sum go.</li>
 *   <li>A counter whose name lacks {@code _total} gets it, as simpleclient names every counter.
 *       Units are left out: 0.0.4 has no UNIT line.</li>
 * </ul>
 * Families without metrics are left out. Timestamps and exemplars are not written: the gateway
 * drops them.
 *
 * <p>client_java 1.x's text writer cannot stand in: its model refuses what a push may carry and
 * the gateway must be the one to reject with its message (a negative counter, a gauge named
 * {@code x_info}), and it writes histogram counts as whole numbers only.
 */
final class TextFormatWriter {
    private TextFormatWriter() {
    }

    /**
     * Fails unless simpleclient and simpleclient_common can be loaded, so that a client that
     * would need them says so when it is built, not at its first push.
     */
    static void requireLibrary() {
        try {
            Collector.class.getName();
            TextFormat.class.getName();
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("Transport.HTTP_TEXT writes its bodies with simpleclient's text format writer:"
                    + " add io.prometheus:simpleclient_common (0.16.0) to the class path, or use HTTP_PROTOBUF", e);
        }
    }

    static String write(List<MetricFamily> families) {
        List<MetricFamilySamples> samples = new ArrayList<>(families.size());
        for (MetricFamily family : families) {
            if (family.getMetricCount() > 0) {
                samples.add(samplesOf(family));
            }
        }
        StringWriter out = new StringWriter(256 * Math.max(1, families.size()));
        try {
            TextFormat.write004(out, Collections.enumeration(samples));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static MetricFamilySamples samplesOf(MetricFamily family) {
        String name = family.getName();
        List<Sample> samples = new ArrayList<>();
        for (Metric metric : family.getMetricList()) {
            List<String> labelNames = new ArrayList<>(metric.getLabelCount() + 1);
            List<String> labelValues = new ArrayList<>(metric.getLabelCount() + 1);
            for (LabelPair label : metric.getLabelList()) {
                labelNames.add(label.getName());
                labelValues.add(label.getValue());
            }
            switch (family.getType()) {
                case COUNTER -> samples.add(new Sample(name, labelNames, labelValues, metric.getCounter().getValue()));
                case GAUGE -> samples.add(new Sample(name, labelNames, labelValues, metric.getGauge().getValue()));
                case UNTYPED -> samples.add(new Sample(name, labelNames, labelValues, metric.getUntyped().getValue()));
                case SUMMARY -> summary(samples, name, labelNames, labelValues, metric.getSummary());
                case HISTOGRAM, GAUGE_HISTOGRAM -> histogram(samples, name, labelNames, labelValues, metric.getHistogram());
            }
        }
        return new MetricFamilySamples(name, type(family), family.getHelp(), samples);
    }

    private static Collector.Type type(MetricFamily family) {
        return switch (family.getType()) {
            case COUNTER -> Collector.Type.COUNTER;
            case GAUGE -> Collector.Type.GAUGE;
            case UNTYPED -> Collector.Type.UNKNOWN;
            case SUMMARY -> Collector.Type.SUMMARY;
            case HISTOGRAM, GAUGE_HISTOGRAM -> Collector.Type.HISTOGRAM;
        };
    }

    private static void summary(List<Sample> out, String name, List<String> labelNames, List<String> labelValues,
                                Summary summary) {
        for (Quantile q : summary.getQuantileList()) {
            out.add(new Sample(name, with(labelNames, "quantile"), with(labelValues, Collector.doubleToGoString(q.getQuantile())),
                    q.getValue()));
        }
        out.add(new Sample(name + "_sum", labelNames, labelValues, summary.getSampleSum()));
        out.add(new Sample(name + "_count", labelNames, labelValues, Counts.unsigned(summary.getSampleCount())));
    }

    private static void histogram(List<Sample> out, String name, List<String> labelNames, List<String> labelValues,
                                  Histogram histogram) {
        double count = Counts.sampleCount(histogram);
        List<String> bucketLabelNames = with(labelNames, "le");
        boolean hasInf = false;
        for (Bucket bucket : histogram.getBucketList()) {
            hasInf |= bucket.getUpperBound() == Double.POSITIVE_INFINITY;
            out.add(new Sample(name + "_bucket", bucketLabelNames,
                    with(labelValues, Collector.doubleToGoString(bucket.getUpperBound())), Counts.cumulativeCount(bucket)));
        }
        if (!hasInf) {
            out.add(new Sample(name + "_bucket", bucketLabelNames, with(labelValues, "+Inf"), count));
        }
        out.add(new Sample(name + "_sum", labelNames, labelValues, histogram.getSampleSum()));
        out.add(new Sample(name + "_count", labelNames, labelValues, count));
    }

    private static List<String> with(List<String> list, String last) {
        List<String> copy = new ArrayList<>(list.size() + 1);
        copy.addAll(list);
        copy.add(last);
        return copy;
    }
}
