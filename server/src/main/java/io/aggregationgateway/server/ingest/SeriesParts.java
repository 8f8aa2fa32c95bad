package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.SummarySample;
import io.aggregationgateway.server.model.TextFormatting;

import java.util.Arrays;

/**
 * One histogram or summary series of a text push, collected as its samples come: the buckets
 * (histograms only), the {@code _count} and the {@code _sum}.
 */
final class SeriesParts {
    final Labels labels;
    private double[] bounds = new double[16];
    private double[] counts = new double[16];
    /** the line of each bucket, to name the later one of a duplicate */
    private int[] lines = new int[16];
    private int size;
    private boolean unsorted;
    Double count;
    Double sum;

    SeriesParts(Labels labels) {
        this.labels = labels;
    }

    void addBucket(double bound, double value, int line) {
        if (size == bounds.length) {
            bounds = Arrays.copyOf(bounds, size * 2);
            counts = Arrays.copyOf(counts, size * 2);
            lines = Arrays.copyOf(lines, size * 2);
        }
        if (size > 0 && !(bound > bounds[size - 1])) {
            unsorted = true; // duplicates are found after sorting, see toHistogram
        }
        bounds[size] = bound;
        counts[size] = value;
        lines[size] = line;
        size++;
    }

    /**
     * The histogram series, with its buckets in ascending order. Buckets usually come sorted, so
     * sorting (and looking for duplicates) is only done when they did not.
     *
     * @throws PushRejectedException on two buckets with one bound, at the first line where one repeats
     */
    ClassicHistogram toHistogram(String familyName) throws PushRejectedException {
        int n = size;
        double[] sortedBounds = Arrays.copyOf(bounds, n);
        double[] sortedCounts = Arrays.copyOf(counts, n);
        if (unsorted) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Double.compare(bounds[x] == 0 ? 0.0 : bounds[x],
                    bounds[y] == 0 ? 0.0 : bounds[y])); // -0.0 and 0.0 are one bound
            int duplicateLine = Integer.MAX_VALUE;
            double duplicateBound = 0;
            for (int k = 0; k < n; k++) {
                int i = order[k];
                sortedBounds[k] = bounds[i];
                sortedCounts[k] = counts[i];
                if (k > 0 && bounds[i] == bounds[order[k - 1]]) {
                    int laterLine = Math.max(lines[i], lines[order[k - 1]]);
                    if (laterLine < duplicateLine) {
                        duplicateLine = laterLine;
                        duplicateBound = bounds[i];
                    }
                }
            }
            if (duplicateLine != Integer.MAX_VALUE) {
                // -0.0 and 0.0 are one bound, spelled 0
                throw TextFormatParser.malformed(duplicateLine, "duplicate bucket le=\""
                        + TextFormatting.sampleValue(duplicateBound == 0 ? 0.0 : duplicateBound)
                        + "\" for histogram " + TextFormatting.quote(familyName) + " series " + labels);
            }
        }
        return new ClassicHistogram(labels, sortedBounds, sortedCounts, count, sum);
    }

    /** The summary series: its quantiles are not kept. */
    SummarySample toSummary() {
        return new SummarySample(labels, count, sum);
    }
}
