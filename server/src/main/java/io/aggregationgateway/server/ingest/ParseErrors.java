package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.TextFormatting;

import java.nio.charset.StandardCharsets;

/**
 * The text parser's rejections: {@code line N: expected ..., found ...}, quoting short,
 * escaped excerpts of the input so that a bad body cannot flood a log or a response.
 */
final class ParseErrors {
    /** Longest excerpt of the input quoted in an error message, in characters. */
    private static final int MAX_EXCERPT = TextFormatting.MAX_QUOTED_CHARS;

    private ParseErrors() {
    }

    static PushRejectedException atLine(int line, String message) {
        return new PushRejectedException(RejectionReason.MALFORMED, "line " + line + ": " + message);
    }

    /** What is at buf[pos] on a line ending at {@code end}: a quoted character, or "end of line". */
    static String describeAt(byte[] buf, int pos, int end) {
        if (pos >= end) {
            return "end of line";
        }
        int c = buf[pos] & 0xff;
        if (c == '\'') {
            return "\"'\"";
        }
        if (c >= 0x20 && c < 0x7f) {
            return "'" + (char) c + "'";
        }
        if (c >= 0x80) {
            int n = 1;
            while (n < 4 && pos + n < end && (buf[pos + n] & 0xc0) == 0x80) {
                n++;
            }
            if (Utf8Validator.isValid(buf, pos, pos + n)) {
                return "'" + new String(buf, pos, n, StandardCharsets.UTF_8) + "'";
            }
        }
        return String.format("byte 0x%02x", c);
    }

    /** buf[from, to) quoted, cut to a bounded length. */
    static String excerpt(byte[] buf, int from, int to) {
        return quote(new String(buf, from, Math.min(to - from, MAX_EXCERPT * 4), StandardCharsets.UTF_8));
    }

    /** The escape sequence whose backslash is just before buf[afterBackslash], quoted. */
    static String escapeSequence(byte[] buf, int afterBackslash, int end) {
        int n = 1;
        if ((buf[afterBackslash] & 0x80) != 0) {
            while (n < 4 && afterBackslash + n < end && (buf[afterBackslash + n] & 0xc0) == 0x80) {
                n++;
            }
        }
        return "'\\" + new String(buf, afterBackslash, n, StandardCharsets.UTF_8) + "'";
    }

    /** s quoted for a message, as {@link TextFormatting#quote} does it. */
    static String quote(String s) {
        return TextFormatting.quote(s);
    }

    /** s cut to twice the excerpt length, for label sets, which are already escaped. */
    static String cap(String s) {
        return s.length() <= MAX_EXCERPT * 2 ? s : s.substring(0, MAX_EXCERPT * 2) + "...";
    }
}
