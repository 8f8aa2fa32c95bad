package io.aggregationgateway.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 answer of unknown length in chunked transfer coding, framed here rather than by
 * Helidon: Helidon 4.4.0 copies every write of a chunked answer twice into new arrays
 * ({@code Http1ServerResponse.BlockingOutputStream.writeChunked} makes a buffer for the chunk and
 * {@code FixedBufferData.write} fills it through another new one: 200 MB of garbage for a 100 MB
 * scrape, three quarters of what a text scrape allocates), while a body of known length goes out
 * from the caller's arrays as they are. So the answer is announced to Helidon with a length it
 * never reaches (which makes Helidon write bytes unframed), and, before the first byte, that header
 * is swapped for {@code Transfer-Encoding: chunked}; each write then goes out as one chunk, and
 * {@link #end} writes the last chunk. A body that fails half way is closed without it, so the client
 * sees it cut short rather than complete.
 */
final class ChunkedBody extends FilterOutputStream {
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final byte[] sizeLine = new byte[10]; // up to 8 hex digits (an int), CR LF
    private boolean ended;

    private ChunkedBody(OutputStream out) {
        super(out);
    }

    /**
     * The response's body stream, chunked by the gateway for an HTTP/1.1 request (an HTTP/1.0 one
     * reaches Helidon as HTTP/1.1, and {@code Http10ResponseConverter} removes the chunks as it
     * removes Helidon's); HTTP/2 frames bodies itself and gets {@code res.outputStream()} as it is.
     * Call instead of {@code res.outputStream()}, with every header but the body's length set.
     */
    static OutputStream open(ServerRequest req, ServerResponse res) {
        if (!"1.1".equals(req.prologue().protocolVersion()) || !"HTTP".equals(req.prologue().protocol())) {
            return res.outputStream();
        }
        // Helidon decides how to frame when the stream is made, and writes the headers with the first byte
        res.headers().contentLength(Long.MAX_VALUE);
        OutputStream unframed = res.outputStream();
        res.headers().remove(HeaderNames.CONTENT_LENGTH);
        res.headers().set(HeaderValues.TRANSFER_ENCODING_CHUNKED);
        return new ChunkedBody(unframed);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (ended) {
            throw new IOException("write after the last chunk");
        }
        if (len == 0) {
            return; // a chunk of size 0 would end the body
        }
        int digits = Math.max(1, (Integer.SIZE - Integer.numberOfLeadingZeros(len) + 3) / 4);
        for (int i = 0; i < digits; i++) {
            sizeLine[i] = HEX[(len >>> (4 * (digits - 1 - i))) & 0xF];
        }
        sizeLine[digits] = '\r';
        sizeLine[digits + 1] = '\n';
        // Helidon's buffered stream gathers the size line and the CRLF after the data with the next chunk's line
        out.write(sizeLine, 0, digits + 2);
        out.write(b, off, len);
        out.write(LAST_CHUNK, 1, 2); // CR LF
    }

    /** Ends the body with the last chunk; call once everything is written, before closing. */
    void end() throws IOException {
        if (ended) {
            throw new IllegalStateException("the body has ended");
        }
        ended = true;
        out.write(LAST_CHUNK);
    }

    @Override
    public void close() throws IOException {
        out.close(); // Helidon's stream: completes the answer
    }
}
