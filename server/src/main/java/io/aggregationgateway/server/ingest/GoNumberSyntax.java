package io.aggregationgateway.server.ingest;

import java.nio.charset.StandardCharsets;

/**
 * Numbers as Go's {@code strconv} parses them, read straight from a byte range. Prometheus's
 * own parser is written in Go, so a body it accepts must parse here to the same value. The
 * caller turns an {@link InvalidNumber} into its line-numbered message.
 */
final class GoNumberSyntax {

    /** A range that is not a number of the expected syntax, or one out of range. */
    static final class InvalidNumber extends Exception {
        private final boolean outOfRange;

        InvalidNumber(boolean outOfRange) {
            super(null, null, false, false); // no stack trace: the caller only reads outOfRange
            this.outOfRange = outOfRange;
        }

        /** True when the syntax was fine but the value does not fit (a double overflowing to infinity, say). */
        boolean outOfRange() {
            return outOfRange;
        }
    }

    /** Exact powers of ten as doubles (10^22 is the largest exactly representable one). */
    private static final double[] POW10 = new double[23];
    private static final long TWO_POW_53 = 1L << 53;
    /** Up to this, one more decimal digit still fits a long. */
    private static final long MAX_EXACT_MANTISSA = 99_999_999_999_999_999L;

    static {
        double power = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = power;
            power *= 10;
        }
    }

    private GoNumberSyntax() {
    }

    /**
     * Parses buf[from, to) as Go's {@code strconv.ParseFloat(s, 64)} does for decimal input:
     * optional sign, digits with an optional point and exponent, or inf/infinity/nan
     * (case-insensitive; nan without a sign).
     */
    static double parseFloat(byte[] buf, int from, int to) throws InvalidNumber {
        int i = afterSign(buf, from, to);
        boolean negative = buf[from] == '-';
        byte c = buf[i];
        if (c == 'i' || c == 'I' || c == 'n' || c == 'N') {
            return parseInfinityOrNaN(buf, from, i, to, negative);
        }
        long mantissa = 0;
        boolean exact = true;
        boolean digits = false;
        int fractionDigits = 0;
        while (i < to && (c = buf[i]) >= '0' && c <= '9') {
            if (mantissa <= MAX_EXACT_MANTISSA) {
                mantissa = mantissa * 10 + (c - '0');
            } else {
                exact = false;
            }
            digits = true;
            i++;
        }
        if (i < to && buf[i] == '.') {
            i++;
            while (i < to && (c = buf[i]) >= '0' && c <= '9') {
                if (mantissa <= MAX_EXACT_MANTISSA) {
                    mantissa = mantissa * 10 + (c - '0');
                    fractionDigits++;
                } else {
                    exact = false;
                }
                digits = true;
                i++;
            }
        }
        if (!digits) {
            throw new InvalidNumber(false);
        }
        int exponent = 0;
        if (i < to && (buf[i] == 'e' || buf[i] == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < to && (buf[i] == '+' || buf[i] == '-')) {
                negativeExponent = buf[i] == '-';
                i++;
            }
            if (i == to) {
                throw new InvalidNumber(false);
            }
            while (i < to && (c = buf[i]) >= '0' && c <= '9') {
                if (exponent < 100_000) {
                    exponent = exponent * 10 + (c - '0');
                }
                i++;
            }
            if (negativeExponent) {
                exponent = -exponent;
            }
        }
        if (i != to) {
            throw new InvalidNumber(false);
        }
        if (exact) {
            if (mantissa == 0) {
                return negative ? -0.0 : 0.0;
            }
            int scale = exponent - fractionDigits;
            if (mantissa <= TWO_POW_53 && scale >= -22 && scale <= 22) {
                // both operands exact: one correctly rounded operation, as Double.parseDouble
                double v = scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
                return negative ? -v : v;
            }
        }
        // the syntax is checked: Java's parser rounds the rest the same way
        double v = Double.parseDouble(new String(buf, from, to - from, StandardCharsets.US_ASCII));
        if (Double.isInfinite(v)) {
            throw new InvalidNumber(true); // Go reports ErrRange where Java overflows to infinity
        }
        return v;
    }

    /** buf[letters, to) after an optional sign at {@code from}: inf, infinity or (unsigned) nan. */
    private static double parseInfinityOrNaN(byte[] buf, int from, int letters, int to, boolean negative)
            throws InvalidNumber {
        int length = to - letters;
        if (length == 3 || length == 8) {
            boolean infinity = true;
            for (int k = 0; k < length; k++) {
                int c = buf[letters + k] | 0x20;
                if (c != "infinity".charAt(k)) {
                    infinity = false;
                    break;
                }
            }
            if (infinity) {
                return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
        }
        if (length == 3 && letters == from && (buf[letters] | 0x20) == 'n' && (buf[letters + 1] | 0x20) == 'a'
                && (buf[letters + 2] | 0x20) == 'n') {
            return Double.NaN;
        }
        throw new InvalidNumber(false);
    }

    /** The index after an optional sign at {@code from}; nothing after the sign is no number. */
    private static int afterSign(byte[] buf, int from, int to) throws InvalidNumber {
        int i = from < to && (buf[from] == '+' || buf[from] == '-') ? from + 1 : from;
        if (i == to) {
            throw new InvalidNumber(false);
        }
        return i;
    }

    /**
     * Parses buf[from, to) as Go's {@code strconv.ParseInt(s, 10, 64)} does: optional sign and
     * decimal digits, within the range of a long.
     */
    static long parseInt64(byte[] buf, int from, int to) throws InvalidNumber {
        int i = afterSign(buf, from, to);
        boolean negative = buf[from] == '-';
        long v = 0; // accumulated negatively so that Long.MIN_VALUE fits
        for (; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                throw new InvalidNumber(false);
            }
            if (v < (Long.MIN_VALUE + d) / 10) {
                throw new InvalidNumber(true);
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                throw new InvalidNumber(true);
            }
            v = -v;
        }
        return v;
    }
}
