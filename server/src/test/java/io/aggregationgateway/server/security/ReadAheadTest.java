package io.aggregationgateway.server.security;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ReadAheadTest {
    /** A connection that brings at most {@code chunk} bytes per read, and counts its reads. */
    private static final class Connection extends InputStream {
        private final ByteArrayInputStream bytes;
        private final int chunk;
        int reads;
        boolean closed;

        Connection(byte[] bytes, int chunk) {
            this.bytes = new ByteArrayInputStream(bytes);
            this.chunk = chunk;
        }

        @Override
        public int read() {
            reads++;
            return bytes.read();
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            reads++;
            return bytes.read(into, offset, Math.min(length, chunk));
        }

        @Override
        public int available() {
            return bytes.available();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) (i * 31);
        }
        return bytes;
    }

    @Test
    void aSmallRecordsHeaderAndBodyComeFromOneReadOfTheConnection() throws IOException {
        byte[] record = bytes(300);
        Connection connection = new Connection(record, Integer.MAX_VALUE);
        ReadAhead in = new ReadAhead(connection);
        byte[] header = new byte[5];
        byte[] body = new byte[295];
        assertEquals(5, in.read(header, 0, 5));
        assertEquals(295, in.read(body, 0, 295));
        assertEquals(1, connection.reads, "the record layer's two reads, one read of the connection");
        assertArrayEquals(Arrays.copyOf(record, 5), header);
        assertArrayEquals(Arrays.copyOfRange(record, 5, 300), body);
        assertEquals(-1, in.read(header, 0, 5));
        assertEquals(-1, in.read());
    }

    @Test
    void aReadAsLargeAsTheBufferGoesStraightToTheConnectionOnceTheBufferIsEmpty() throws IOException {
        byte[] data = bytes(3 * ReadAhead.SIZE);
        Connection connection = new Connection(data, Integer.MAX_VALUE);
        ReadAhead in = new ReadAhead(connection);
        byte[] out = new byte[data.length];
        assertEquals(1, in.read(out, 0, 1)); // fills the buffer
        int n = 1;
        while (n < out.length) {
            int read = in.read(out, n, out.length - n);
            n += read;
        }
        assertArrayEquals(data, out);
        assertEquals(2, connection.reads, "one fill, then the rest straight into the caller's array");
    }

    @Test
    void bytesComeInOrderWhateverTheConnectionBringsPerRead() throws IOException {
        byte[] data = bytes(10_000);
        for (int chunk : new int[] {1, 7, 4096, 5000}) {
            ReadAhead in = new ReadAhead(new Connection(data, chunk));
            byte[] out = new byte[data.length];
            int n = 0;
            for (int length = 1; n < out.length; length = length % 700 + 5) {
                int read = in.read(out, n, Math.min(length, out.length - n));
                assertFalse(read <= 0, "read " + read + " at " + n);
                n += read;
            }
            assertArrayEquals(data, out, "chunks of " + chunk);
            assertEquals(-1, in.read(out, 0, 1));
        }
    }

    @Test
    void availableCountsTheBufferedBytesAndClosingLeavesTheConnectionOpen() throws IOException {
        Connection connection = new Connection(bytes(100), Integer.MAX_VALUE);
        ReadAhead in = new ReadAhead(connection);
        assertEquals(100, in.available(), "before a read: what the connection says");
        in.read();
        assertEquals(99, in.available());
        in.close();
        assertFalse(connection.closed, "the TLS socket closes the connection itself");
    }
}
