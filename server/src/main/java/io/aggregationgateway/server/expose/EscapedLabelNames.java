package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.NameEscaping;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Label names outside the legacy set, escaped with one scheme, by their UTF-8 bytes: a family's
 * series repeat a few names, so a small direct-mapped cache saves escaping each again. One per
 * rendering thread at a time.
 */
final class EscapedLabelNames {
    private static final int SLOTS = 64;

    private final byte[][] from = new byte[SLOTS][];
    private final byte[][] to = new byte[SLOTS][];
    private NameEscaping scheme;

    /** src[offset, offset+length) escaped with {@code escaping} (not {@link NameEscaping#ALLOW_UTF8}), as ASCII. */
    byte[] escaped(NameEscaping escaping, byte[] src, int offset, int length) {
        if (scheme != escaping) {
            Arrays.fill(from, null);
            scheme = escaping;
        }
        int hash = 0;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + src[i];
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        byte[] cached = from[slot];
        if (cached != null && Arrays.equals(cached, 0, cached.length, src, offset, offset + length)) {
            return to[slot];
        }
        from[slot] = Arrays.copyOfRange(src, offset, offset + length);
        to[slot] = escaping.labelName(new String(src, offset, length, StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
        return to[slot];
    }
}
