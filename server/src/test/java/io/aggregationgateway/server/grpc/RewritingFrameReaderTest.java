package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

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
    private static final int RST_STREAM = 3;
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

    /** What the reader told its connection; it asks for a wake frame for the streams in {@link #calls}. */
    private static final class Resets implements RewritingFrameReader.ClientResets {
        final Set<Integer> calls = new HashSet<>();
        final List<Integer> reset = new ArrayList<>();
        final List<Integer> dropped = new ArrayList<>();

        @Override
        public boolean reset(int streamId) {
            reset.add(streamId);
            return calls.contains(streamId);
        }

        @Override
        public void dropped(int bytes) {
            dropped.add(bytes);
        }
    }

    /** Everything the reader hands on, with the socket delivering {@code chunk} bytes at a time. */
    private static byte[] readThrough(byte[] connection, int chunk) {
        return readThrough(connection, chunk, new Resets());
    }

    private static byte[] readThrough(byte[] connection, int chunk, RewritingFrameReader.ClientResets resets) {
        List<byte[]> pieces = new ArrayList<>();
        for (int i = 0; i < connection.length; i += chunk) {
            pieces.add(Arrays.copyOfRange(connection, i, Math.min(connection.length, i + chunk)));
        }
        Iterator<byte[]> socket = pieces.iterator();
        RewritingFrameReader reader = new RewritingFrameReader(DataReader.create(() -> socket.hasNext() ? socket.next() : null),
                new HpackRewriter(4096), MAX_FRAME, 8192, resets);
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

    private static final byte[] CALL_HEADERS = new HpackBlock().indexed(3).indexed(6).indexed(4).bytes();
    private static final byte[] CANCEL = {0, 0, 0, 8};

    @Test
    void dataTheClientSendsAfterItsResetIsDroppedAndItsBytesGivenBack() {
        byte[] queued = frame(DATA, END_STREAM, 1, new byte[102]); // what grpc-java sends after its reset
        byte[] next = frame(HEADERS, END_HEADERS, 3, CALL_HEADERS);
        byte[] nextData = frame(DATA, END_STREAM, 3, new byte[]{0, 0, 0, 0, 0});
        byte[] connection = concat(PREFACE, SETTINGS, frame(HEADERS, END_HEADERS, 1, CALL_HEADERS),
                frame(RST_STREAM, 0, 1, CANCEL), queued, frame(DATA, 0, 1, new byte[0]), next, nextData);
        for (int chunk : new int[]{connection.length, 7, 1}) {
            Resets resets = new Resets();
            byte[] read = readThrough(connection, chunk, resets);
            assertArrayEquals(concat(PREFACE, SETTINGS, frame(HEADERS, END_HEADERS, 1, CALL_HEADERS),
                    frame(RST_STREAM, 0, 1, CANCEL), next, nextData), read, "chunks of " + chunk);
            assertEquals(List.of(1), resets.reset);
            assertEquals(List.of(102), resets.dropped, "an empty frame takes no window");
        }
    }

    @Test
    void aResetOfAStreamWhoseClientSideIsOpenGetsAnEmptyEndOfStreamFrameBeforeItWhenItsCallAsks() {
        byte[] connection = concat(PREFACE, SETTINGS, frame(HEADERS, END_HEADERS, 1, CALL_HEADERS),
                frame(DATA, 0, 1, new byte[]{0, 0, 0, 0, 0}), frame(RST_STREAM, 0, 1, CANCEL));
        Resets resets = new Resets();
        resets.calls.add(1);
        assertArrayEquals(concat(PREFACE, SETTINGS, frame(HEADERS, END_HEADERS, 1, CALL_HEADERS),
                frame(DATA, 0, 1, new byte[]{0, 0, 0, 0, 0}), frame(DATA, END_STREAM, 1, new byte[0]),
                frame(RST_STREAM, 0, 1, CANCEL)), readThrough(connection, 3, resets));
        assertEquals(connection.length, readThrough(connection, 3).length, "no frame for a stream without a call");
    }

    @Test
    void aResetAfterTheClientEndedItsSideIsPassedAloneAndTellsNoCall() {
        byte[] get = new HpackBlock().indexed(2).indexed(6).indexed(4).bytes(); // GET: END_STREAM on its HEADERS
        byte[] connection = concat(PREFACE, SETTINGS, frame(HEADERS, END_HEADERS, 1, CALL_HEADERS), GRPC_DATA,
                frame(RST_STREAM, 0, 1, CANCEL), frame(HEADERS, END_HEADERS | END_STREAM, 3, get),
                frame(RST_STREAM, 0, 3, CANCEL), frame(RST_STREAM, 0, 5, CANCEL));
        Resets resets = new Resets();
        resets.calls.addAll(List.of(1, 3, 5));
        assertArrayEquals(connection, readThrough(connection, 5, resets));
        assertEquals(List.of(), resets.reset, "stream 5 was never opened: Helidon refuses that reset");
    }

    @Test
    void dataIsDroppedOnlyForTheLatestResets() {
        ByteArrayOutputStream connection = new ByteArrayOutputStream();
        connection.writeBytes(concat(PREFACE, SETTINGS));
        int streams = RewritingFrameReader.RESETS_REMEMBERED + 1;
        for (int i = 0; i < streams; i++) {
            connection.writeBytes(frame(HEADERS, END_HEADERS, 1 + 2 * i, CALL_HEADERS));
            connection.writeBytes(frame(RST_STREAM, 0, 1 + 2 * i, CANCEL));
        }
        byte[] oldest = frame(DATA, 0, 1, new byte[3]);
        byte[] latest = frame(DATA, 0, 2 * streams - 1, new byte[4]);
        connection.writeBytes(oldest);
        connection.writeBytes(latest);
        Resets resets = new Resets();
        byte[] read = readThrough(connection.toByteArray(), 100, resets);
        assertArrayEquals(oldest, Arrays.copyOfRange(read, read.length - oldest.length, read.length),
                "long after its reset a frame goes to Helidon, which refuses it");
        assertEquals(List.of(4), resets.dropped);
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
