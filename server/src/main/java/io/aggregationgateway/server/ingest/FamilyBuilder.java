package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** One family of a parse: its name, declared type and HELP, and the series collected for it so far. */
final class FamilyBuilder {
    /** the name's bytes, which {@link FamilyTable} compares sample names against */
    final byte[] nameBytes;
    final int hash;
    final String name;
    /** where the family was first mentioned, the line of an error about the whole family */
    final int firstLine;
    /** null until a TYPE line declares one */
    DeclaredType type;
    String help;
    boolean helpSeen;
    /** a TYPE line must come before the family's samples */
    boolean hasSamples;

    private ArrayList<Series> scalars;
    private LinkedHashMap<Labels, HistogramAccumulator> histograms;
    private LinkedHashMap<Labels, SummaryAccumulator> summaries;
    // a series' samples usually come one after another: the last one is looked up first
    private HistogramAccumulator lastHistogram;
    private SummaryAccumulator lastSummary;

    FamilyBuilder(byte[] nameBytes, int hash, int firstLine) {
        this.nameBytes = nameBytes;
        this.hash = hash;
        this.name = new String(nameBytes, StandardCharsets.US_ASCII);
        this.firstLine = firstLine;
    }

    void addScalar(Labels labels, double value) {
        if (scalars == null) {
            scalars = new ArrayList<>();
        }
        scalars.add(new ScalarSample(labels, value));
    }

    /** The histogram series of these labels, created on its first sample. */
    HistogramAccumulator histogram(Labels labels) {
        HistogramAccumulator last = lastHistogram;
        if (last != null && last.labels.equals(labels)) {
            return last;
        }
        if (histograms == null) {
            histograms = new LinkedHashMap<>();
        }
        HistogramAccumulator histogram = histograms.get(labels);
        if (histogram == null) {
            histogram = new HistogramAccumulator(labels);
            histograms.put(labels, histogram);
        }
        lastHistogram = histogram;
        return histogram;
    }

    /** The summary series of these labels, created on its first sample. */
    SummaryAccumulator summary(Labels labels) {
        SummaryAccumulator last = lastSummary;
        if (last != null && last.labels.equals(labels)) {
            return last;
        }
        if (summaries == null) {
            summaries = new LinkedHashMap<>();
        }
        SummaryAccumulator summary = summaries.get(labels);
        if (summary == null) {
            summary = new SummaryAccumulator(labels);
            summaries.put(labels, summary);
        }
        lastSummary = summary;
        return summary;
    }

    boolean isEmpty() {
        return (scalars == null || scalars.isEmpty())
                && (histograms == null || histograms.isEmpty())
                && (summaries == null || summaries.isEmpty());
    }

    /** The family's name in the result: OpenMetrics names a counter and an info by their sample names. */
    String outputName(boolean openMetrics) {
        if (openMetrics && type == DeclaredType.COUNTER) {
            return name + "_total";
        }
        if (openMetrics && type == DeclaredType.INFO) {
            return name + "_info";
        }
        return name;
    }

    MetricType outputType() {
        return type == null ? MetricType.UNTYPED : type.metricType();
    }

    /**
     * The collected series, in the order of their first samples.
     *
     * @throws PushRejectedException on a histogram with a duplicate bucket
     */
    List<Series> series() throws PushRejectedException {
        if (scalars != null && !scalars.isEmpty()) {
            return scalars;
        }
        ArrayList<Series> out = new ArrayList<>();
        if (histograms != null) {
            for (HistogramAccumulator histogram : histograms.values()) {
                out.add(histogram.toSeries(name));
            }
        }
        if (summaries != null) {
            for (SummaryAccumulator summary : summaries.values()) {
                out.add(summary.toSeries());
            }
        }
        return out;
    }
}
