package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.Labels;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A buffered byte writer with the few number and escaping routines the text formats need. */
final class ByteSink {
    private final OutputStream out;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;

    ByteSink(OutputStream out) {
        this.out = out;
    }

    ByteSink ascii(String s) throws IOException {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            put((byte) s.charAt(i));
        }
        return this;
    }

    ByteSink put(byte b) throws IOException {
        if (pos == buf.length) {
            flushBuffer();
        }
        buf[pos++] = b;
        return this;
    }

    ByteSink put(char c) throws IOException {
        return put((byte) c);
    }

    /** Help text: backslash and newline escaped. */
    ByteSink help(String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            switch (b) {
                case '\\' -> put((byte) '\\').put((byte) '\\');
                case '\n' -> put((byte) '\\').put((byte) 'n');
                default -> put(b);
            }
        }
        return this;
    }

    /** A label value: backslash, double quote and newline escaped. */
    ByteSink labelValue(byte[] src, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            byte b = src[i];
            switch (b) {
                case '\\' -> put((byte) '\\').put((byte) '\\');
                case '"' -> put((byte) '\\').put((byte) '"');
                case '\n' -> put((byte) '\\').put((byte) 'n');
                default -> put(b);
            }
        }
        return this;
    }

    /** {@code {a="1",b="2"}} with an optional extra label (such as {@code le}) at the end; nothing for no labels. */
    ByteSink labels(Labels labels, String extraName, String extraValue) throws IOException {
        if (labels.isEmpty() && extraName == null) {
            return this;
        }
        put('{');
        boolean[] first = {true};
        try {
            labels.forEachRaw((b, no, nl, vo, vl) -> {
                try {
                    if (!first[0]) {
                        put(',');
                    }
                    first[0] = false;
                    for (int i = no; i < no + nl; i++) {
                        put(b[i]);
                    }
                    put('=').put('"').labelValue(b, vo, vl).put('"');
                } catch (IOException e) {
                    throw new UncheckedWrite(e);
                }
            });
        } catch (UncheckedWrite e) {
            throw e.getCause();
        }
        if (extraName != null) {
            if (!first[0]) {
                put(',');
            }
            ascii(extraName).put('=').put('"').ascii(extraValue).put('"');
        }
        return put('}');
    }

    /** A sample value as Prometheus parses it: integers without a fraction, {@code +Inf}, {@code -Inf}, {@code NaN}. */
    ByteSink number(double v) throws IOException {
        if (v == (long) v && Math.abs(v) < 1e15) {
            long n = (long) v;
            if (n == 0 && Double.doubleToRawLongBits(v) != 0) {
                return ascii("-0");
            }
            return integer(n);
        }
        return ascii(formatNonIntegral(v));
    }

    ByteSink integer(long n) throws IOException {
        if (n < 0) {
            put('-');
            n = -n;
        }
        if (n < 10) {
            return put((byte) ('0' + n));
        }
        byte[] digits = new byte[20];
        int i = digits.length;
        while (n > 0) {
            digits[--i] = (byte) ('0' + n % 10);
            n /= 10;
        }
        for (; i < digits.length; i++) {
            put(digits[i]);
        }
        return this;
    }

    static String formatNonIntegral(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(v); // shortest repr that round-trips; Go's ParseFloat reads it
    }

    void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    private void flushBuffer() throws IOException {
        out.write(buf, 0, pos);
        pos = 0;
    }

    private static final class UncheckedWrite extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedWrite(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
