package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connection bytes through {@link RewritingFrameReader}: what Helidon's connection then reads. */
class RewritingFrameReaderTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_FRAME = 16384;
    private static final int HEADERS = 1;
    private static final int CONTINUATION = 9;
    private static final int DATA = 0;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;

    private record Frame(int type, int flags, int streamId, byte[] payload) {
    }

    private static byte[] frame(int type, int flags, int streamId, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.writeBytes(new byte[]{(byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId});
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Everything the reader hands on, with the socket delivering {@code chunk} bytes at a time. */
    private static byte[] readThrough(byte[] connection, int chunk) {
        List<byte[]> pieces = new ArrayList<>();
        for (int i = 0; i < connection.length; i += chunk) {
            pieces.add(Arrays.copyOfRange(connection, i, Math.min(connection.length, i + chunk)));
        }
        Iterator<byte[]> socket = pieces.iterator();
        RewritingFrameReader reader = new RewritingFrameReader(DataReader.create(() -> socket.hasNext() ? socket.next() : null),
                new HpackRewriter(4096), MAX_FRAME, 8192);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            while (true) {
                out.writeBytes(reader.get());
            }
        } catch (DataReader.InsufficientDataAvailableException e) {
            return out.toByteArray(); // the socket has nothing more
        }
    }

    private static List<Frame> frames(byte[] bytes) {
        List<Frame> frames = new ArrayList<>();
        for (int pos = PREFACE.length; pos < bytes.length; ) {
            int length = (bytes[pos] & 0xFF) << 16 | (bytes[pos + 1] & 0xFF) << 8 | (bytes[pos + 2] & 0xFF);
            int streamId = (bytes[pos + 5] & 0x7F) << 24 | (bytes[pos + 6] & 0xFF) << 16 | (bytes[pos + 7] & 0xFF) << 8
                    | (bytes[pos + 8] & 0xFF);
            frames.add(new Frame(bytes[pos + 3] & 0xFF, bytes[pos + 4] & 0xFF, streamId,
                    Arrays.copyOfRange(bytes, pos + 9, pos + 9 + length)));
            pos += 9 + length;
        }
        return frames;
    }

    private static final byte[] SETTINGS = frame(4, 0, 0, new byte[0]);
    private static final byte[] GRPC_DATA = frame(DATA, END_STREAM, 1, new byte[]{0, 0, 0, 0, 2, 8, 1});

    @Test
    void framesThatAreNotHeaderBlocksAndBlocksThatNeedNothingPassAsTheyCame() {
        byte[] block = new HpackBlock().indexed(3).indexed(6).indexed(4).withIndexing("x-a", "1").bytes();
        byte[] padded = concat(new byte[]{3}, block, new byte[3]);
        byte[] connection = concat(PREFACE, SETTINGS, frame(HEADERS, END_HEADERS | PADDED, 1, padded), GRPC_DATA);
        assertArrayEquals(connection, readThrough(connection, connection.length));
        assertArrayEquals(connection, readThrough(connection, 1));
    }

    @Test
    void aBlockSpreadOverFramesIsRewrittenWholeAndSentInFramesNoLarger() throws Exception {
        byte[] block = new HpackBlock().indexed(3).indexed(6).withIndexing(":path", "/aggregationgateway.v1.AggregationGateway/Push")
                .withIndexing(":authority", "127.0.0.1:9091").withIndexing("te", "trailers").bytes();
        int split = 10; // inside the :path literal
        byte[] priority = {0, 0, 0, 0, 15};
        byte[] first = concat(new byte[]{2}, priority, Arrays.copyOfRange(block, 0, split), new byte[2]);
        byte[] connection = concat(PREFACE, SETTINGS,
                frame(HEADERS, END_STREAM | PADDED | PRIORITY, 1, first),
                frame(CONTINUATION, 0, 1, Arrays.copyOfRange(block, split, 30)),
                frame(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(block, 30, block.length)),
                GRPC_DATA);
        for (int chunk : new int[]{connection.length, 7, 1}) {
            List<Frame> frames = frames(readThrough(connection, chunk));
            Frame headers = frames.get(1);
            assertEquals(HEADERS, headers.type());
            assertEquals(END_STREAM | PRIORITY, headers.flags() & ~END_HEADERS, "padding dropped, the rest kept");
            assertArrayEquals(priority, Arrays.copyOf(headers.payload(), 5));
            assertTrue(headers.payload().length <= first.length);
            ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
            rewritten.write(headers.payload(), 5, headers.payload().length - 5);
            int i = 2;
            for (Frame last = headers; (last.flags() & END_HEADERS) == 0; i++) {
                last = frames.get(i);
                assertEquals(CONTINUATION, last.type());
                rewritten.writeBytes(last.payload());
            }
            assertArrayEquals(Arrays.copyOfRange(GRPC_DATA, 9, GRPC_DATA.length), frames.get(i).payload(), "DATA as it came");
            Http2Headers decoded = HpackBlock.helidonDecoded(Http2Headers.DynamicTable.create(4096), rewritten.toByteArray());
            assertEquals("/aggregationgateway.v1.AggregationGateway/Push", decoded.path());
            assertEquals("127.0.0.1:9091", decoded.authority());
        }
    }

    @Test
    void afterAFrameHelidonRefusesTheConnectionPassesAsItCame() {
        // a HEADERS frame above the frame size limit: Helidon ends the connection, nothing is buffered for it
        byte[] oversized = frame(HEADERS, END_HEADERS, 1, new byte[MAX_FRAME + 1]);
        byte[] later = frame(HEADERS, END_HEADERS, 3, new HpackBlock().indexed(3).indexed(6)
                .withIndexing(":path", "/p").bytes());
        byte[] connection = concat(PREFACE, SETTINGS, oversized, later);
        assertArrayEquals(connection, readThrough(connection, 1000));

        byte[] missingContinuation = concat(PREFACE, SETTINGS, frame(HEADERS, 0, 1, new HpackBlock().indexed(3).bytes()),
                GRPC_DATA, later);
        assertArrayEquals(missingContinuation, readThrough(missingContinuation, 1000));
    }
}
