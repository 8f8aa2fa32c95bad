package io.aggregationgateway.server.connection;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns the response Helidon writes to a request that came as HTTP/1.0 into one an HTTP/1.0 client
 * can read: a server must not send {@code Transfer-Encoding} to HTTP/1.0 (RFC 9112 6.1), and Helidon
 * chunks every response it streams (a scrape). A chunked response loses its {@code Transfer-Encoding}
 * line and its chunk framing; its body then ends where the connection closes, as its
 * {@code Connection: close} announces. Other responses pass unchanged. The status line keeps
 * {@code HTTP/1.1}, which HTTP/1.0 clients accept (RFC 9110 6.2). No I/O: bytes in, bytes out.
 */
final class Http10ResponseConverter {
    private enum State { HEAD, PLAIN, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, DONE }

    private static final byte[] EMPTY = new byte[0];

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(256);
    private State state = State.HEAD;
    private long chunkLeft;
    private int lastFourBytes;

    /** The bytes to send for the next bytes Helidon writes; may be empty. */
    byte[] convert(byte[] in) {
        if (state == State.PLAIN) {
            return in;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        int i = 0;
        while (i < in.length) {
            switch (state) {
                case HEAD -> {
                    byte b = in[i++];
                    pending.write(b);
                    lastFourBytes = (lastFourBytes << 8) | (b & 0xff);
                    if (lastFourBytes == 0x0d0a0d0a) { // CRLF CRLF
                        writeHead(out);
                    }
                }
                case PLAIN -> {
                    out.write(in, i, in.length - i);
                    i = in.length;
                }
                case CHUNK_SIZE, TRAILERS -> {
                    byte b = in[i++];
                    if (b != '\n') {
                        pending.write(b);
                        continue;
                    }
                    String line = pending.toString(StandardCharsets.ISO_8859_1).strip();
                    pending.reset();
                    if (state == State.TRAILERS) {
                        state = line.isEmpty() ? State.DONE : State.TRAILERS;
                    } else {
                        int extension = line.indexOf(';');
                        chunkLeft = Long.parseLong(extension < 0 ? line : line.substring(0, extension).strip(), 16);
                        state = chunkLeft == 0 ? State.TRAILERS : State.CHUNK_DATA;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(chunkLeft, in.length - i);
                    out.write(in, i, n);
                    i += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        state = State.CHUNK_DATA_END;
                    }
                }
                case CHUNK_DATA_END -> {
                    if (in[i++] == '\n') {
                        state = State.CHUNK_SIZE;
                    }
                }
                case DONE -> i = in.length;
            }
        }
        return out.size() == 0 ? EMPTY : out.toByteArray();
    }

    /** Writes the buffered head without a {@code Transfer-Encoding: chunked} line, and picks how the body goes on. */
    private void writeHead(ByteArrayOutputStream out) {
        String head = pending.toString(StandardCharsets.ISO_8859_1);
        pending.reset();
        boolean chunked = false;
        StringBuilder kept = new StringBuilder(head.length());
        for (String line : head.split("\r\n", -1)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("transfer-encoding")
                    && line.substring(colon + 1).strip().equalsIgnoreCase("chunked")) {
                chunked = true;
                continue;
            }
            kept.append(line).append("\r\n");
        }
        kept.setLength(kept.length() - 2); // split gave one piece after the last CRLF
        out.writeBytes(kept.toString().getBytes(StandardCharsets.ISO_8859_1));
        state = chunked ? State.CHUNK_SIZE : State.PLAIN;
    }
}
