package io.aggregationgateway.server.aggregate;

import java.math.BigInteger;

/**
 * The bucket layout of native histograms. At schema {@code s} bucket {@code i} holds the values
 * in {@code (2^((i-1)/2^s), 2^(i/2^s)]} (negative buckets the mirror image), so that every
 * boundary of schema {@code s} is also one of every finer schema: reducing the resolution by
 * one step merges buckets pairwise.
 */
final class ExponentialBuckets {
    static final int MIN_SCHEMA = -4;
    static final int MAX_SCHEMA = 8;

    /**
     * {@code 2^(j/256) / 2} for {@code j} in {@code 0..255}: the mantissas of all boundaries of
     * schema 8, and (every {@code 2^(8-s)}-th of them) of every schema {@code s > 0}.
     */
    private static final double[] MANTISSAS = mantissas();

    private ExponentialBuckets() {
    }

    /**
     * The upper bound of bucket {@code index} at {@code schema}, computed as Prometheus's
     * {@code getBound} does: a mantissa in {@code [0.5, 1)} scaled by a power of two. The
     * bucket just below the overflow bucket ends at {@link Double#MAX_VALUE}, not {@code +Inf}.
     */
    static double upperBound(int index, int schema) {
        if (schema <= 0) {
            int exponent = index << -schema;
            return exponent == 1024 ? Double.MAX_VALUE : Math.scalb(1.0, exponent);
        }
        double mantissa = MANTISSAS[(index & ((1 << schema) - 1)) << (8 - schema)];
        int exponent = (index >> schema) + 1;
        return mantissa == 0.5 && exponent == 1025 ? Double.MAX_VALUE : Math.scalb(mantissa, exponent);
    }

    /** The lower bound of bucket {@code index}: the upper bound of the bucket below it. */
    static double lowerBound(int index, int schema) {
        return upperBound(index - 1, schema);
    }

    /** The index at the coarser {@code targetSchema} of the bucket that holds bucket {@code index} of {@code schema}. */
    static int reducedIndex(int index, int schema, int targetSchema) {
        return ((index - 1) >> (schema - targetSchema)) + 1;
    }

    /**
     * Correctly rounded values, proven rather than trusted to {@code Math.pow}: the double
     * {@code m} is the nearest to {@code x = 2^(j/256)} exactly when {@code x} lies between the
     * midpoints to {@code m}'s neighbours, which is decided in integers since {@code x^256 = 2^j}.
     * (Prometheus's own table differs from these in the last bits of some entries; a difference
     * that matters only for a zero threshold within a few ulps of a boundary.)
     */
    private static double[] mantissas() {
        double[] out = new double[256];
        for (int j = 0; j < 256; j++) {
            double m = Math.pow(2, j / 256.0); // in [1, 2): m = significand * 2^-52
            while (true) {
                long significand = (Double.doubleToRawLongBits(m) & ((1L << 52) - 1)) | (1L << 52);
                // midpoints are (2 * significand -+ 1) * 2^-53; compare their 256th powers with 2^j
                BigInteger twoToJ = BigInteger.ONE.shiftLeft(j + 53 * 256);
                if (BigInteger.valueOf(2 * significand - 1).pow(256).compareTo(twoToJ) > 0) {
                    m = Math.nextDown(m);
                } else if (BigInteger.valueOf(2 * significand + 1).pow(256).compareTo(twoToJ) < 0) {
                    m = Math.nextUp(m);
                } else {
                    break;
                }
            }
            out[j] = m / 2;
        }
        return out;
    }
}
