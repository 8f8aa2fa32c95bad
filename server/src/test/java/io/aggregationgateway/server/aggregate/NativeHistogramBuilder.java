package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;

import java.util.Arrays;

/** Native histograms for tests: {@code nh(3).zero(0.001, 2).pos(1, 5, 2, 1).count(8).sum(4).build()}. */
final class NativeHistogramBuilder {
    private final int schema;
    private Labels labels = Labels.EMPTY;
    private double zeroThreshold;
    private double zeroCount;
    private Double count;
    private double sum;
    private NativeBuckets positive = NativeBuckets.EMPTY;
    private NativeBuckets negative = NativeBuckets.EMPTY;
    private boolean floatCounts;
    private ClassicHistogram classic;

    private NativeHistogramBuilder(int schema) {
        this.schema = schema;
    }

    static NativeHistogramBuilder nh(int schema) {
        return new NativeHistogramBuilder(schema);
    }

    NativeHistogramBuilder labels(String... namesAndValues) {
        labels = Labels.of(namesAndValues);
        return this;
    }

    NativeHistogramBuilder zero(double threshold, double count) {
        zeroThreshold = threshold;
        zeroCount = count;
        return this;
    }

    /** Positive buckets as index, count pairs. */
    NativeHistogramBuilder pos(double... indexCountPairs) {
        positive = buckets(indexCountPairs);
        return this;
    }

    /** Negative buckets as index, count pairs. */
    NativeHistogramBuilder neg(double... indexCountPairs) {
        negative = buckets(indexCountPairs);
        return this;
    }

    /** The count; when not given, the sum of all buckets. */
    NativeHistogramBuilder count(double c) {
        count = c;
        return this;
    }

    NativeHistogramBuilder sum(double s) {
        sum = s;
        return this;
    }

    NativeHistogramBuilder floats() {
        floatCounts = true;
        return this;
    }

    /** Classic buckets as bound, cumulative count pairs. */
    NativeHistogramBuilder classic(double... boundCountPairs) {
        double[] bounds = new double[boundCountPairs.length / 2];
        double[] counts = new double[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = boundCountPairs[2 * i];
            counts[i] = boundCountPairs[2 * i + 1];
        }
        classic = new ClassicHistogram(labels, bounds, counts, null, null);
        return this;
    }

    NativeHistogram build() {
        double c = count != null ? count : zeroCount + positive.total() + negative.total();
        return new NativeHistogram(labels, schema, zeroThreshold, zeroCount, c, sum, positive, negative, floatCounts,
                classic == null ? null : classic.withLabels(labels));
    }

    private static NativeBuckets buckets(double[] pairs) {
        int[] indices = new int[pairs.length / 2];
        double[] counts = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (int) pairs[2 * i];
            counts[i] = pairs[2 * i + 1];
        }
        return new NativeBuckets(indices, counts);
    }

    /** A canonical text of a native histogram, for comparing (records with arrays do not compare by content). */
    static String describe(NativeHistogram h) {
        StringBuilder out = new StringBuilder()
                .append(h.floatCounts() ? "float" : "integer")
                .append(" schema=").append(h.schema())
                .append(" zt=").append(h.zeroThreshold())
                .append(" zc=").append(h.zeroCount())
                .append(" count=").append(h.count())
                .append(" sum=").append(h.sum())
                .append(" pos=").append(describe(h.positive()))
                .append(" neg=").append(describe(h.negative()));
        if (h.classic() != null) {
            out.append(" classic=").append(Arrays.toString(h.classic().upperBounds()))
                    .append(Arrays.toString(h.classic().cumulativeCounts()));
        }
        return out.toString();
    }

    private static String describe(NativeBuckets buckets) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < buckets.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(buckets.indices()[i]).append(':').append(buckets.counts()[i]);
        }
        return out.append('}').toString();
    }
}
