package io.aggregationgateway.server.security;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * What a TLS socket reads its records through: one read from the connection brings whatever has
 * arrived (a whole small record, header and body, usually several), and the record layer's reads
 * are served from it. The JDK's {@code SSLSocket} reads each record's 5-byte header and then its
 * body with two reads of the connection, two system calls per request on a connection that brings
 * one small request at a time.
 *
 * <p>Unlike {@link java.io.BufferedInputStream} it never asks the connection how much is available
 * (one more system call), and it takes no lock: the TLS socket reads its records under its own.
 * Closing it leaves the connection open: the TLS socket closes that itself.
 */
final class ReadAhead extends InputStream {
    /**
     * Holds a small request's record, header and body, with room to spare; larger records are read
     * straight into the record layer's buffer. Per connection, next to the JDK's own buffers.
     */
    static final int SIZE = 4096;

    private final InputStream connection;
    private final byte[] buffer = new byte[SIZE];
    private int position;
    private int limit;

    ReadAhead(InputStream connection) {
        this.connection = connection;
    }

    @Override
    public int read() throws IOException {
        if (position == limit && fill() <= 0) {
            return -1;
        }
        return buffer[position++] & 0xFF;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, into.length);
        if (length == 0) {
            return 0;
        }
        if (position == limit) {
            if (length >= buffer.length) {
                return connection.read(into, offset, length); // as large as the buffer: no copy
            }
            int n = fill();
            if (n <= 0) {
                return n;
            }
        }
        int n = Math.min(length, limit - position);
        System.arraycopy(buffer, position, into, offset, n);
        position += n;
        return n;
    }

    /** One read of the connection into the empty buffer: how much it brought, or -1 at its end. */
    private int fill() throws IOException {
        int n = connection.read(buffer, 0, buffer.length);
        position = 0;
        limit = Math.max(n, 0);
        return n;
    }

    @Override
    public int available() throws IOException {
        int buffered = limit - position;
        return buffered > 0 ? buffered : connection.available();
    }

    @Override
    public void close() {
        // the connection is the TLS socket's to close
    }
}
