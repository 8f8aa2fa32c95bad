package io.aggregationgateway.server.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded mutations of a valid body: bit flips, truncations, insertions of random bytes and of
 * tokens that matter to the parsers, deletions, duplicated and swapped lines, huge and odd
 * numbers, long names and label values, many labels, invalid UTF-8, and for protobuf, varints
 * made huge. The same seed gives the same mutation, so a failing input is named by its seed.
 */
final class BodyMutator {
    private static final String[] TOKENS = {
            "{", "}", "\"", "\\", "\n", "\r\n", "#", " ", "\t", "=", ",", "le", "quantile", "+Inf", "-Inf", "NaN",
            "_bucket", "_count", "_sum", "_total", "_created", "_gcount", "# TYPE x histogram\n", "# TYPE x counter\n",
            "# HELP x h\n", "# EOF\n", "# UNIT x s\n", "{le=\"+Inf\"}", "x 1\n", "x{a=\"1\",a=\"2\"} 1\n", "__name__",
            "\u0000", "0x1p1023", "1e308", "1.8e308", "-0", "9223372036854775808", "# {a=\"b\"} 1 1\n"};
    private static final String[] NUMBERS = {
            "1e308", "1.7976931348623157e308", "1.8e308", "-1.7e308", "4.9e-324", "1e-400", "NaN", "+Inf", "-Inf",
            "0x1p1023", "99999999999999999999999999999", "-0", "1_000", "0.0000000000000000000000000001", "1e+308",
            "17976931348623157" + "0".repeat(292), "+5", ".5", "5.", "0b1", "Inf", "infinity", "nan"};
    private static final byte[][] BAD_UTF8 = {
            {(byte) 0xff}, {(byte) 0xfe, (byte) 0xff}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            {(byte) 0xe2, (byte) 0x82}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}};

    private final Random random;
    private final boolean protobuf;

    BodyMutator(long seed, boolean protobuf) {
        this.random = new Random(seed);
        this.protobuf = protobuf;
    }

    /** One to three mutations of {@code body}; also names them into {@code what}. */
    byte[] mutate(byte[] body, StringBuilder what) {
        byte[] out = body;
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            out = once(out, what);
        }
        return out;
    }

    private byte[] once(byte[] b, StringBuilder what) {
        int operator = random.nextInt(protobuf ? 10 : 14);
        return switch (operator) {
            case 0 -> { what.append("flip "); yield flipBits(b); }
            case 1 -> { what.append("truncate "); yield Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length)); }
            case 2 -> { what.append("insert-random "); yield insert(b, randomBytes(1 + random.nextInt(16))); }
            case 3 -> { what.append("insert-token "); yield insert(b, ascii(TOKENS[random.nextInt(TOKENS.length)])); }
            case 4 -> { what.append("delete "); yield delete(b); }
            case 5 -> { what.append("bad-utf8 "); yield insert(b, BAD_UTF8[random.nextInt(BAD_UTF8.length)]); }
            case 6 -> { what.append("duplicate "); yield duplicateRange(b); }
            case 7 -> { what.append("append-garbage "); yield concat(b, randomBytes(1 + random.nextInt(64))); }
            case 8 -> { what.append("repeat-body "); yield concat(b, b); }
            case 9 -> protobuf ? varint(b, what) : swapLines(b, what);
            case 10 -> { what.append("number "); yield replaceNumber(b); }
            case 11 -> { what.append("long-value "); yield longText(b); }
            case 12 -> { what.append("many-labels "); yield manyLabels(b); }
            default -> { what.append("duplicate-line "); yield duplicateLine(b); }
        };
    }

    private byte[] flipBits(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        byte[] out = b.clone();
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++) {
            out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    private byte[] insert(byte[] b, byte[] what) {
        int at = random.nextInt(b.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + what.length);
        out.write(b, 0, at);
        out.writeBytes(what);
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    private byte[] delete(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        int from = random.nextInt(b.length);
        int to = Math.min(b.length, from + 1 + random.nextInt(32));
        return concat(Arrays.copyOf(b, from), Arrays.copyOfRange(b, to, b.length));
    }

    private byte[] duplicateRange(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        int from = random.nextInt(b.length);
        int to = Math.min(b.length, from + 1 + random.nextInt(64));
        return insert(b, Arrays.copyOfRange(b, from, to));
    }

    private byte[] swapLines(byte[] b, StringBuilder what) {
        what.append("swap-lines ");
        String[] lines = text(b).split("\n", -1);
        if (lines.length < 2) {
            return b;
        }
        int i = random.nextInt(lines.length);
        int j = random.nextInt(lines.length);
        String t = lines[i];
        lines[i] = lines[j];
        lines[j] = t;
        return latin1(String.join("\n", lines));
    }

    private byte[] duplicateLine(byte[] b) {
        String[] lines = text(b).split("\n", -1);
        int i = random.nextInt(lines.length);
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < lines.length; k++) {
            out.append(lines[k]);
            if (k == i) {
                out.append('\n').append(lines[k]);
            }
            if (k < lines.length - 1) {
                out.append('\n');
            }
        }
        return latin1(out.toString());
    }

    /** Replaces the value at the end of a random sample line. */
    private byte[] replaceNumber(byte[] b) {
        String[] lines = text(b).split("\n", -1);
        int i = random.nextInt(lines.length);
        String line = lines[i];
        int space = line.lastIndexOf(' ');
        if (line.startsWith("#") || space < 0) {
            return insert(b, ascii(NUMBERS[random.nextInt(NUMBERS.length)]));
        }
        lines[i] = line.substring(0, space + 1) + NUMBERS[random.nextInt(NUMBERS.length)];
        return latin1(String.join("\n", lines));
    }

    /** A long label value, label name or metric name: just under, at and over the limits. */
    private byte[] longText(byte[] b) {
        int length = new int[] {4095, 4096, 4097, 20_000, 200_000}[random.nextInt(5)];
        String filler = "x".repeat(length);
        return switch (random.nextInt(3)) {
            case 0 -> latin1(text(b).replaceFirst("=\"", "=\"" + filler));
            case 1 -> latin1(text(b).replaceFirst("\\{", "{" + filler + "=\"v\","));
            default -> latin1(filler + "_total 1\n" + text(b));
        };
    }

    private byte[] manyLabels(byte[] b) {
        int count = new int[] {63, 64, 65, 200, 3_000}[random.nextInt(5)];
        StringBuilder labels = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            labels.append("l").append(i).append("=\"").append(i).append("\",");
        }
        return latin1(text(b).replaceFirst("\\{", labels.toString()));
    }

    /** Protobuf: a length or value varint made huge, or a field key turned into another wire type. */
    private byte[] varint(byte[] b, StringBuilder what) {
        what.append("varint ");
        if (b.length == 0) {
            return b;
        }
        int at = random.nextInt(b.length);
        byte[][] replacements = {
                {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f},
                {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01},
                {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x00},
                {0x00}, {0x7f}, {(byte) (b[at] ^ 0x07)}};
        byte[] r = replacements[random.nextInt(replacements.length)];
        return concat(concat(Arrays.copyOf(b, at), r), Arrays.copyOfRange(b, Math.min(b.length, at + 1), b.length));
    }

    private byte[] randomBytes(int n) {
        byte[] out = new byte[n];
        random.nextBytes(out);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1); // byte-preserving: invalid UTF-8 survives the edit
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
