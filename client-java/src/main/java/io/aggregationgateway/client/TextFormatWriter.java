package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.Quantile;
import io.aggregationgateway.proto.metrics.Summary;

import java.util.List;

/**
 * Writes {@code MetricFamily} messages as Prometheus text format 0.0.4, for the
 * {@link Transport#HTTP_TEXT} transport.
 *
 * <p>The format has no gauge histogram type, so gauge histograms are written as histograms (as
 * Prometheus's own text writer does), and no native histogram buckets, so a native histogram
 * contributes its count (as the {@code +Inf} bucket) and sum only. Families without metrics are
 * left out. Timestamps and exemplars are not written: the gateway drops them.
 */
final class TextFormatWriter {
    private TextFormatWriter() {
    }

    static String write(List<MetricFamily> families) {
        StringBuilder out = new StringBuilder(256 * Math.max(1, families.size()));
        for (MetricFamily family : families) {
            if (family.getMetricCount() > 0) {
                writeFamily(out, family);
            }
        }
        return out.toString();
    }

    private static void writeFamily(StringBuilder out, MetricFamily family) {
        String name = family.getName();
        if (!family.getHelp().isEmpty()) {
            out.append("# HELP ").append(name).append(' ');
            escape(out, family.getHelp(), false);
            out.append('\n');
        }
        out.append("# TYPE ").append(name).append(' ').append(typeName(family)).append('\n');
        for (Metric metric : family.getMetricList()) {
            switch (family.getType()) {
                case COUNTER -> sample(out, name, metric.getLabelList(), null, null, metric.getCounter().getValue());
                case GAUGE -> sample(out, name, metric.getLabelList(), null, null, metric.getGauge().getValue());
                case UNTYPED -> sample(out, name, metric.getLabelList(), null, null, metric.getUntyped().getValue());
                case SUMMARY -> summary(out, name, metric);
                case HISTOGRAM, GAUGE_HISTOGRAM -> histogram(out, name, metric);
            }
        }
    }

    private static String typeName(MetricFamily family) {
        return switch (family.getType()) {
            case COUNTER -> "counter";
            case GAUGE -> "gauge";
            case UNTYPED -> "untyped";
            case SUMMARY -> "summary";
            case HISTOGRAM, GAUGE_HISTOGRAM -> "histogram";
        };
    }

    private static void summary(StringBuilder out, String name, Metric metric) {
        Summary summary = metric.getSummary();
        for (Quantile q : summary.getQuantileList()) {
            sample(out, name, metric.getLabelList(), "quantile", format(q.getQuantile()), q.getValue());
        }
        sample(out, name + "_sum", metric.getLabelList(), null, null, summary.getSampleSum());
        sample(out, name + "_count", metric.getLabelList(), null, null, Counts.unsigned(summary.getSampleCount()));
    }

    private static void histogram(StringBuilder out, String name, Metric metric) {
        Histogram histogram = metric.getHistogram();
        double count = Counts.sampleCount(histogram);
        boolean hasInf = false;
        for (Bucket bucket : histogram.getBucketList()) {
            hasInf |= bucket.getUpperBound() == Double.POSITIVE_INFINITY;
            sample(out, name + "_bucket", metric.getLabelList(), "le", format(bucket.getUpperBound()),
                    Counts.cumulativeCount(bucket));
        }
        if (!hasInf) { // optional in protobuf, where the count stands for it; required in text
            sample(out, name + "_bucket", metric.getLabelList(), "le", "+Inf", count);
        }
        sample(out, name + "_sum", metric.getLabelList(), null, null, histogram.getSampleSum());
        sample(out, name + "_count", metric.getLabelList(), null, null, count);
    }

    private static void sample(StringBuilder out, String name, List<LabelPair> labels, String extraName,
                               String extraValue, double value) {
        out.append(name);
        if (!labels.isEmpty() || extraName != null) {
            out.append('{');
            boolean first = true;
            for (LabelPair label : labels) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append(label.getName()).append("=\"");
                escape(out, label.getValue(), true);
                out.append('"');
            }
            if (extraName != null) {
                if (!first) {
                    out.append(',');
                }
                out.append(extraName).append("=\"").append(extraValue).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(format(value)).append('\n');
    }

    /** Backslash and newline always, the double quote in label values only (text format 0.0.4). */
    private static void escape(StringBuilder out, String s, boolean quote) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '"' -> out.append(quote ? "\\\"" : "\"");
                default -> out.append(c);
            }
        }
    }

    /** A number as Go's parser reads it: {@code +Inf}, {@code -Inf}, {@code NaN}, whole numbers without ".0". */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
