package io.aggregationgateway.server.headers;

/**
 * Compares names in raw bytes the way HTTP field names and exposition keywords compare: ASCII
 * letters in any case, everything else exactly. No string is made, so readers of a request or a
 * push can match the few names they know as the bytes go by.
 */
public final class AsciiCase {
    private AsciiCase() {
    }

    /** Whether buf[from, to) spells {@code lowerCase} (lower-case ASCII), ignoring the case of ASCII letters. */
    public static boolean equalsLowerCase(byte[] buf, int from, int to, byte[] lowerCase) {
        if (to - from != lowerCase.length) {
            return false;
        }
        for (int i = 0; i < lowerCase.length; i++) {
            int b = buf[from + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerCase[i]) {
                return false;
            }
        }
        return true;
    }
}
