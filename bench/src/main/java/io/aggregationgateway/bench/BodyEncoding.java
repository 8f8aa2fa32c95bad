package io.aggregationgateway.bench;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes workload families as push bodies: Prometheus text 0.0.4 and protobuf-delimited. Written
 * here, independently of the gateway's renderers, so a renderer bug cannot make a benchmark body
 * easier to parse. Only what the workloads use is supported: counters and classic histograms,
 * label values without characters that need escaping.
 */
public final class BodyEncoding {
    public static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4";
    public static final String PROTOBUF_CONTENT_TYPE =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private BodyEncoding() {
    }

    /** Varint-length-delimited messages, as client_golang pushes them. */
    public static byte[] protobufDelimited(List<MetricFamily> families) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (MetricFamily family : families) {
                family.writeDelimitedTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return out.toByteArray();
    }

    /** The text format 0.0.4 with {@code # HELP} and {@code # TYPE} lines, as client libraries write it. */
    public static byte[] text(List<MetricFamily> families) {
        StringBuilder out = new StringBuilder();
        for (MetricFamily family : families) {
            String name = family.getName();
            out.append("# HELP ").append(name).append(' ').append(family.getHelp()).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(family.getType().name().toLowerCase()).append('\n');
            for (Metric metric : family.getMetricList()) {
                if (metric.hasHistogram()) {
                    appendHistogram(out, name, metric);
                } else {
                    out.append(name);
                    appendLabels(out, metric.getLabelList(), null);
                    out.append(' ').append(number(metric.getCounter().getValue())).append('\n');
                }
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void appendHistogram(StringBuilder out, String name, Metric metric) {
        for (Bucket bucket : metric.getHistogram().getBucketList()) {
            out.append(name).append("_bucket");
            appendLabels(out, metric.getLabelList(), bound(bucket.getUpperBound()));
            out.append(' ').append(bucket.getCumulativeCount()).append('\n');
        }
        out.append(name).append("_sum");
        appendLabels(out, metric.getLabelList(), null);
        out.append(' ').append(number(metric.getHistogram().getSampleSum())).append('\n');
        out.append(name).append("_count");
        appendLabels(out, metric.getLabelList(), null);
        out.append(' ').append(metric.getHistogram().getSampleCount()).append('\n');
    }

    private static void appendLabels(StringBuilder out, List<LabelPair> labels, String le) {
        if (labels.isEmpty() && le == null) {
            return;
        }
        out.append('{');
        String separator = "";
        for (LabelPair label : labels) {
            out.append(separator).append(label.getName()).append("=\"").append(label.getValue()).append('"');
            separator = ",";
        }
        if (le != null) {
            out.append(separator).append("le=\"").append(le).append('"');
        }
        out.append('}');
    }

    private static String bound(double upperBound) {
        return Double.isInfinite(upperBound) ? "+Inf" : number(upperBound);
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
