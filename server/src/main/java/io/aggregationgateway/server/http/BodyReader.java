package io.aggregationgateway.server.http;

import io.aggregationgateway.server.ingest.BoundedRead;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.helidon.common.buffers.DataReader;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;

/**
 * Reads a request body into memory. The limit applies to the decoded bytes, so a small gzip
 * bomb is refused like a large body.
 */
final class BodyReader {
    private BodyReader() {
    }

    /**
     * @param in            the body, already decoded by {@link RequestBodyDecoding} when {@code encoding} is set
     * @param encoding      the request's {@code Content-Encoding}, or {@code null}
     * @param contentLength the request's {@code Content-Length}, or -1 (chunked)
     */
    static byte[] read(InputStream in, String encoding, int limit, long contentLength) throws IOException, PushRejectedException {
        try {
            return readAll(in, encoding, limit, contentLength);
        } catch (DataReader.InsufficientDataAvailableException e) {
            // Helidon 4.4.0 throws this when the client ends the connection inside the body, and
            // would answer it with a 500
            throw new PushRejectedException(RejectionReason.MALFORMED, "the request body ended before its "
                    + (contentLength >= 0 ? "Content-Length of " + contentLength + " bytes" : "last chunk"));
        }
    }

    private static byte[] readAll(InputStream in, String encoding, int limit, long contentLength)
            throws IOException, PushRejectedException {
        if (encoding == null && contentLength >= 0 && contentLength <= limit) {
            return in.readNBytes((int) contentLength); // the usual push: one exact array, no growing and copying
        }
        byte[] body;
        try {
            body = BoundedRead.atMost(in, limit, 8192);
        } catch (RequestBodyDecoding.UnsupportedCodingException e) {
            throw new PushRejectedException(RejectionReason.MALFORMED, e.getMessage());
        } catch (ZipException | EOFException e) {
            if (encoding == null) {
                throw e;
            }
            throw new PushRejectedException(RejectionReason.MALFORMED, "corrupt " + encoding + " body: " + e.getMessage());
        }
        if (body == null) {
            throw new PushRejectedException(RejectionReason.TOO_LARGE, (encoding != null ? "decoded " : "")
                    + "request body is larger than the limit of " + limit + " bytes");
        }
        return body;
    }
}
