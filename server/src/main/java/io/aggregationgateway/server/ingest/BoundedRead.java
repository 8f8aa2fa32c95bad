package io.aggregationgateway.server.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a stream into memory, but no more than a limit: what keeps a small compressed body or gRPC
 * message from inflating to gigabytes. Both adapters read decompressed pushes through it.
 */
public final class BoundedRead {
    private static final int CHUNK = 16 * 1024;

    private BoundedRead() {
    }

    /**
     * The stream's bytes up to its end (or the first read that returns nothing), or {@code null} as
     * soon as there are more than {@code limit} of them: reading stops there.
     *
     * @param expected a guess at the size, to size the buffer
     */
    public static byte[] atMost(InputStream in, int limit, int expected) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, Math.min(limit, expected)));
        byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = in.read(chunk)) > 0) {
            if (out.size() + n > limit) {
                return null;
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }
}
