package io.aggregationgateway.server.model;

/**
 * How the gateway spells numbers and strings in text: in the exposition formats it renders, and
 * in the messages that quote what a sender pushed. The one place for these rules, so that a
 * scrape, an error message and {@link Labels#toString()} agree.
 *
 * <p>Two kinds of escaping: the formats' own ({@link #escapeLabelValue}, {@link #escapeHelp}),
 * which a parser reads back, and {@link #quote(String)} for messages, which also makes control
 * characters visible and cuts long text, so that a hostile push cannot flood a log or a reply.
 */
public final class TextFormatting {
    /** Longest text quoted in a message, in characters; longer text is cut and ends in {@code ...}. */
    public static final int MAX_QUOTED_CHARS = 40;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TextFormatting() {
    }

    // -------------------------------------------------------------------------------- numbers

    /**
     * Whether a sample value is written as a plain integer: integral and below 10^15 in
     * magnitude, where a double still holds every integer exactly. {@code -0.0} is one too, and
     * is written {@code -0}.
     */
    public static boolean isPlainInteger(double v) {
        return v == (long) v && Math.abs(v) < 1e15;
    }

    /**
     * A sample value in the text format 0.0.4, as Prometheus parses it: plain integers without a
     * fraction ({@code 3}, {@code -0}), {@code NaN}, {@code +Inf}, {@code -Inf}, anything else as
     * Java's shortest round-tripping form ({@code 1.5E-7}), which Go's {@code ParseFloat} reads.
     */
    public static String sampleValue(double v) {
        if (isPlainInteger(v)) {
            return v == 0 && Double.doubleToRawLongBits(v) != 0 ? "-0" : Long.toString((long) v);
        }
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(v);
    }

    /**
     * {@code strconv.FormatFloat(v, 'g', -1, 64)} with OpenMetrics' spelling of the specials:
     * the shortest digits that read back as {@code v}, in exponent form when the decimal exponent
     * is below -4 or at least 6 ({@code 1e-05}, {@code 1.5e+06}), plain otherwise.
     */
    public static String goFloat(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return Double.doubleToRawLongBits(v) == 0 ? "0" : "-0";
        }
        // Java's Double.toString gives the shortest round-tripping digits too; only the layout differs
        String java = Double.toString(Math.abs(v));
        int e = java.indexOf('E');
        String mantissa = e < 0 ? java : java.substring(0, e);
        int exponent = e < 0 ? 0 : Integer.parseInt(java.substring(e + 1));
        int dot = mantissa.indexOf('.');
        String all = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
        int decimalPoint = dot + exponent; // digits before the decimal point
        int start = 0;
        while (start < all.length() - 1 && all.charAt(start) == '0') {
            start++;
            decimalPoint--;
        }
        int end = all.length();
        while (end > start + 1 && all.charAt(end - 1) == '0') {
            end--;
        }
        String digits = all.substring(start, end);
        int n = digits.length();
        StringBuilder out = new StringBuilder(n + 8);
        if (v < 0) {
            out.append('-');
        }
        int exp = decimalPoint - 1;
        if (exp < -4 || exp >= 6) {
            out.append(digits.charAt(0));
            if (n > 1) {
                out.append('.').append(digits, 1, n);
            }
            out.append('e').append(exp < 0 ? '-' : '+');
            int absExp = Math.abs(exp);
            if (absExp < 10) {
                out.append('0');
            }
            return out.append(absExp).toString();
        }
        if (decimalPoint <= 0) {
            out.append("0.");
            out.repeat('0', -decimalPoint);
            return out.append(digits).toString();
        }
        if (decimalPoint >= n) {
            out.append(digits);
            out.repeat('0', decimalPoint - n);
            return out.toString();
        }
        return out.append(digits, 0, decimalPoint).append('.').append(digits, decimalPoint, n).toString();
    }

    /**
     * An {@code le} value in OpenMetrics canonical form, as Go's expfmt writes it: {@code 0.1},
     * {@code 1.0}, {@code 100.0}, {@code 1e+06}, {@code +Inf}. Every scrape format spells bounds
     * this way: Prometheus 2.x keeps the label as written, so one spelling keeps a bucket one
     * series whichever format Prometheus negotiates.
     */
    public static String canonicalBound(double v) {
        if (v == 0) {
            return "0.0";
        }
        String s = goFloat(v);
        if (Double.isFinite(v) && s.indexOf('.') < 0 && s.indexOf('e') < 0) {
            return s + ".0";
        }
        return s;
    }

    /**
     * A time in Unix epoch milliseconds as seconds, the unit OpenMetrics writes times in: whole
     * seconds as an integer, else with the decimals the milliseconds need ({@code 1700000000},
     * {@code 1700000000.5}, {@code 1700000000.125}). Exact, where a double's shortest form would say
     * {@code 1.7000000001e+09}.
     */
    public static String epochSeconds(long millis) {
        long abs = Math.abs(millis);
        StringBuilder out = new StringBuilder(24);
        if (millis < 0) {
            out.append('-');
        }
        out.append(abs / 1000);
        int fraction = (int) (abs % 1000);
        if (fraction != 0) {
            String digits = Integer.toString(1000 + fraction).substring(1); // three digits, leading zeros
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            out.append('.').append(digits, 0, end);
        }
        return out.toString();
    }

    // ---------------------------------------------------------------------- format escaping

    /**
     * Writes src[from, from+length) to dst at {@code pos} escaped as a label value of the text
     * formats (backslash, double quote and newline) and returns the position after it. dst must
     * have room for {@code 2 * length} bytes. OpenMetrics escapes HELP text this way too.
     */
    public static int escapeLabelValue(byte[] src, int from, int length, byte[] dst, int pos) {
        // most values need no escape: find the first byte that does, copy what comes before it at once
        int end = from + length;
        int plain = from;
        while (plain < end && !needsLabelValueEscape(src[plain])) {
            plain++;
        }
        System.arraycopy(src, from, dst, pos, plain - from);
        pos += plain - from;
        for (int i = plain; i < end; i++) {
            byte b = src[i];
            switch (b) {
                case '\\', '"' -> {
                    dst[pos++] = '\\';
                    dst[pos++] = b;
                }
                case '\n' -> {
                    dst[pos++] = '\\';
                    dst[pos++] = 'n';
                }
                default -> dst[pos++] = b;
            }
        }
        return pos;
    }

    private static boolean needsLabelValueEscape(byte b) {
        return b == '\\' || b == '"' || b == '\n';
    }

    /**
     * Whether buf[from, to) holds a byte {@link #escapeLabelValue} escapes. Eight bytes at a time,
     * with one branch for the range, so that a label set's encoding can be looked at whole.
     */
    public static boolean needsLabelValueEscape(byte[] buf, int from, int to) {
        if (to - from < Long.BYTES) {
            for (int i = from; i < to; i++) {
                if (needsLabelValueEscape(buf[i])) {
                    return true;
                }
            }
            return false;
        }
        long found = 0;
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            found |= escapedBytes(ByteWords.read(buf, i));
        }
        if (i < to) { // the last eight bytes, overlapping some already seen
            found |= escapedBytes(ByteWords.read(buf, to - Long.BYTES));
        }
        return found != 0;
    }

    /** Non-zero when a byte of {@code word} is a backslash, a double quote or a newline. */
    private static long escapedBytes(long word) {
        return ByteWords.bytesEqualTo(word, '\\') | ByteWords.bytesEqualTo(word, '"') | ByteWords.bytesEqualTo(word, '\n');
    }

    /**
     * Writes src[from, from+length) to dst at {@code pos} escaped as HELP text of the text format
     * 0.0.4 (backslash and newline) and returns the position after it. dst must have room for
     * {@code 2 * length} bytes.
     */
    public static int escapeHelp(byte[] src, int from, int length, byte[] dst, int pos) {
        for (int i = from, end = from + length; i < end; i++) {
            byte b = src[i];
            switch (b) {
                case '\\' -> {
                    dst[pos++] = '\\';
                    dst[pos++] = '\\';
                }
                case '\n' -> {
                    dst[pos++] = '\\';
                    dst[pos++] = 'n';
                }
                default -> dst[pos++] = b;
            }
        }
        return pos;
    }

    // ------------------------------------------------------------------------------ messages

    /**
     * {@code s} for a message: in double quotes, escaped as a label value, with tab, carriage
     * return and other control characters made visible ({@code \t}, {@code \r}, {@code \x01}),
     * cut after {@link #MAX_QUOTED_CHARS} characters.
     */
    public static String quote(String s) {
        return appendQuoted(new StringBuilder(Math.min(s.length(), MAX_QUOTED_CHARS) + 8), s).toString();
    }

    /** Appends {@link #quote(String) quote(s)} to {@code out}. */
    public static StringBuilder appendQuoted(StringBuilder out, String s) {
        out.append('"');
        appendVisible(out, s, MAX_QUOTED_CHARS);
        return out.append('"');
    }

    /**
     * Appends {@code s} escaped as in {@link #quote(String)}, without the quotes, cut after
     * {@code maxChars} characters.
     */
    static void appendVisible(StringBuilder out, String s, int maxChars) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (i == maxChars) {
                out.append("...");
                return;
            }
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
