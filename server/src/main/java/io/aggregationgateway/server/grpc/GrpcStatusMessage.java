package io.aggregationgateway.server.grpc;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;

import java.nio.charset.StandardCharsets;

/**
 * The {@code grpc-message} trailer: a status description, percent-encoded as the gRPC spec asks
 * ("gRPC over HTTP/2": printable ASCII except {@code %} as is, every other UTF-8 byte as {@code %XX}),
 * at most {@value #MAX_LENGTH} characters, and never added to the HPACK dynamic table.
 *
 * <p>Helidon 4.4.0 writes descriptions raw, so {@code bad%41name} arrived as {@code badAname} and
 * non-ASCII text mangled; and it indexes every header it writes, and its table loops forever on an
 * entry larger than the table (4 KiB): one refused push naming a 4 KB label value spun a core for
 * good. Not indexing the trailer removes the loop whatever its length; the bound keeps trailers
 * within what clients accept (grpc-java refuses header lists above 8 KiB).
 */
final class GrpcStatusMessage {
    static final HeaderName NAME = HeaderNames.create("grpc-message");
    /** Longest encoded description sent; longer ones are cut and say so. */
    static final int MAX_LENGTH = 2048;

    private GrpcStatusMessage() {
    }

    /** The trailer for {@code description} (raw text, as a {@code Status} holds it). */
    static Header header(String description) {
        // changing = true: written as a literal without indexing, so it never enters the dynamic table
        return HeaderValues.create(NAME, true, false, encoded(description));
    }

    /** {@code description} percent-encoded, cut at {@value #MAX_LENGTH} characters with a note of its full size. */
    static String encoded(String description) {
        byte[] utf8 = description.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(Math.min(MAX_LENGTH, utf8.length + 16));
        String cut = " [cut: " + utf8.length + " bytes in all]";
        int lastFit = 0; // length of the longest prefix of whole characters that leaves room for the note
        for (int i = 0; i < utf8.length; ) {
            for (int end = i + sequenceLength(utf8, i); i < end; i++) {
                append(out, utf8[i]);
            }
            if (out.length() <= MAX_LENGTH - cut.length()) {
                lastFit = out.length();
            } else if (out.length() > MAX_LENGTH) {
                out.setLength(lastFit);
                return out.append(cut).toString();
            }
        }
        return out.toString();
    }

    /** Bytes of the UTF-8 sequence starting at {@code i} (1 for a stray byte), within the array. */
    private static int sequenceLength(byte[] utf8, int i) {
        int b = utf8[i] & 0xFF;
        int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        return Math.min(length, utf8.length - i);
    }

    private static void append(StringBuilder out, byte b) {
        if (b >= ' ' && b <= '~' && b != '%') {
            out.append((char) b);
        } else {
            out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                    .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
        }
    }
}
