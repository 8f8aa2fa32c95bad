package io.aggregationgateway.server.aggregate;

import java.util.Arrays;

/**
 * The classic-histogram rule: the result has the union of both sides' bucket bounds; at each
 * bound {@code b} every side contributes its cumulative count at its own largest bound
 * {@code <= b} (0 if it has none). Observations thereby land in the lowest bucket that surely
 * holds them, and the result stays cumulative. Bounds are ascending and end with {@code +Inf}.
 */
final class HistogramMerger {
    private HistogramMerger() {
    }

    /** Bounds and cumulative counts of a merge result. */
    record Buckets(double[] bounds, double[] cumulative) {
    }

    /**
     * Adds side B into side A. When B's bounds are a subset of A's (the usual case: every
     * pusher uses the same buckets) A's arrays are updated in place and returned.
     */
    static Buckets add(double[] boundsA, double[] cumulativeA, double[] boundsB, double[] cumulativeB) {
        if (Arrays.equals(boundsA, boundsB)) {
            for (int i = 0; i < boundsA.length; i++) {
                cumulativeA[i] += cumulativeB[i];
            }
            return new Buckets(boundsA, cumulativeA);
        }
        double[] union = unionOf(boundsA, boundsB);
        double[] result = union.length == boundsA.length ? cumulativeA : new double[union.length];
        int a = -1; // index of A's largest bound <= current union bound
        int b = -1;
        for (int i = 0; i < union.length; i++) {
            double bound = union[i];
            while (a + 1 < boundsA.length && boundsA[a + 1] <= bound) {
                a++;
            }
            while (b + 1 < boundsB.length && boundsB[b + 1] <= bound) {
                b++;
            }
            // in place (result == cumulativeA) the union is A's bounds, so a == i: read before write
            result[i] = (a >= 0 ? cumulativeA[a] : 0) + (b >= 0 ? cumulativeB[b] : 0);
        }
        return new Buckets(union, result);
    }

    private static double[] unionOf(double[] x, double[] y) {
        double[] out = new double[x.length + y.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < x.length || j < y.length) {
            double next;
            if (j >= y.length || (i < x.length && x[i] < y[j])) {
                next = x[i++];
            } else if (i >= x.length || y[j] < x[i]) {
                next = y[j++];
            } else {
                next = x[i++];
                j++;
            }
            out[n++] = next;
        }
        return n == x.length ? x : Arrays.copyOf(out, n);
    }
}
