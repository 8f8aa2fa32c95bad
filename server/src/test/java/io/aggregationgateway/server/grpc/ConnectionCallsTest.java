package io.aggregationgateway.server.grpc;

import io.aggregationgateway.server.model.RejectionReason;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The calls of one connection: registered by stream, told of the client's resets, ended with the connection. */
class ConnectionCallsTest {
    /** A wrapped call in a given state that records the resets it gets. */
    private static final class Call implements SubProtocolHandler {
        final List<Http2ErrorCode> resets = new ArrayList<>();
        volatile Http2StreamState state;

        Call(Http2StreamState state) {
            this.state = state;
        }

        @Override
        public void init() {
        }

        @Override
        public Http2StreamState streamState() {
            return state;
        }

        @Override
        public void rstStream(Http2RstStream rstStream) {
            resets.add(rstStream.errorCode());
        }

        @Override
        public void windowUpdate(Http2WindowUpdate update) {
        }

        @Override
        public void data(Http2FrameHeader header, BufferData data) {
            if (header.flags(Http2FrameTypes.DATA).endOfStream()) {
                state = Http2StreamState.CLOSED; // a unary call answers at the client's end
            }
        }
    }

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final ConnectionCalls calls = new ConnectionCalls(new DataWriter() {
        @Override
        public void write(BufferData... buffers) {
            for (BufferData buffer : buffers) {
                write(buffer);
            }
        }

        @Override
        public void write(BufferData buffer) {
            byte[] bytes = new byte[buffer.available()];
            buffer.read(bytes);
            written.writeBytes(bytes);
        }

        @Override
        public void writeNow(BufferData... buffers) {
            write(buffers);
        }

        @Override
        public void writeNow(BufferData buffer) {
            write(buffer);
        }
    });

    /** {@code call} wrapped as {@link GrpcCalls} wraps every call, registered on stream {@code streamId}, and started. */
    private RequestMessages started(int streamId, Call call) {
        RequestMessages messages = new RequestMessages(call, null, streamId, false, 1024,
                (RejectionReason reason, String message, long bytes) -> PushService.status(reason, message), Runnable::run,
                c -> calls.ended(streamId, c));
        calls.opened(streamId, messages);
        messages.init();
        return messages;
    }

    private static Http2FrameHeader data(int length, boolean endOfStream) {
        return Http2FrameHeader.create(length, Http2FrameTypes.DATA,
                Http2Flag.DataFlags.create(endOfStream ? Http2Flag.END_OF_STREAM : 0), 1);
    }

    @Test
    void callsStillOpenAreCancelledOnceWhenTheConnectionEndsAndAnsweredOnesAreLeftAlone() {
        Call watching = new Call(Http2StreamState.HALF_CLOSED_REMOTE); // a health Watch: the server never ends it
        Call streaming = new Call(Http2StreamState.OPEN);
        Call answered = new Call(Http2StreamState.HALF_CLOSED_LOCAL); // the client has not ended its side yet
        started(1, watching);
        started(3, streaming);
        started(5, answered);
        assertEquals(3, calls.held());
        calls.connectionEnded();
        calls.connectionEnded();
        assertEquals(List.of(Http2ErrorCode.CANCEL), watching.resets);
        assertEquals(List.of(Http2ErrorCode.CANCEL), streaming.resets);
        assertEquals(List.of(), answered.resets, "a call that has answered is not cancelled after");
        assertEquals(0, calls.held());
    }

    @Test
    void aCallIsForgottenOnceBothSidesHaveEnded() {
        RequestMessages unary = started(1, new Call(Http2StreamState.OPEN));
        RequestMessages refused = started(3, new Call(Http2StreamState.HALF_CLOSED_LOCAL)); // refused as it started
        assertEquals(2, calls.held());
        unary.data(data(0, true), BufferData.empty());
        assertEquals(1, calls.held(), "answered at the client's end");
        assertEquals(Http2StreamState.OPEN, refused.streamState(), "Helidon goes on reading the client's side");
        refused.data(data(3, false), BufferData.create(new byte[3]));
        refused.data(data(0, true), BufferData.empty());
        assertEquals(Http2StreamState.CLOSED, refused.streamState());
        assertEquals(0, calls.held());
    }

    @Test
    void aResetOfAStartedCallCancelsItAndAsksForTheWakeFrameOnce() {
        Call call = new Call(Http2StreamState.OPEN);
        RequestMessages messages = started(7, call);
        assertTrue(calls.reset(7));
        assertFalse(calls.reset(7), "the second reset of a stream");
        assertEquals(List.of(Http2ErrorCode.CANCEL), call.resets);
        messages.rstStream(new Http2RstStream(Http2ErrorCode.CANCEL)); // Helidon passes the same reset on after
        assertEquals(List.of(Http2ErrorCode.CANCEL), call.resets);
        assertEquals(Http2StreamState.OPEN, messages.streamState(), "until the wake frame has come through");
        messages.data(data(0, true), BufferData.empty());
        assertEquals(Http2StreamState.CLOSED, messages.streamState());
        assertEquals(0, calls.held());
    }

    @Test
    void aResetBeforeTheCallRegistersIsToldToTheCallWhenItDoes() {
        assertFalse(calls.reset(9), "no call yet: no wake frame");
        Call call = new Call(Http2StreamState.OPEN);
        RequestMessages messages = started(9, call);
        assertEquals(List.of(Http2ErrorCode.CANCEL), call.resets);
        assertEquals(Http2StreamState.CLOSED, messages.streamState(), "Helidon's loop never starts for it");
        assertEquals(0, calls.held());
    }

    @Test
    void onlyTheLatestResetsOfStreamsWithoutACallAreKept() {
        for (int i = 0; i <= ConnectionCalls.UNSTARTED_RESETS_KEPT; i++) {
            calls.reset(1 + 2 * i); // HTTP requests, say: they never become calls
        }
        Call oldest = new Call(Http2StreamState.OPEN);
        Call latest = new Call(Http2StreamState.OPEN);
        started(1, oldest);
        started(1 + 2 * ConnectionCalls.UNSTARTED_RESETS_KEPT, latest);
        assertEquals(List.of(), oldest.resets);
        assertEquals(List.of(Http2ErrorCode.CANCEL), latest.resets);
    }

    /**
     * The table of open calls against a map: calls opened and forgotten in random order, on stream
     * ids that crowd a few slots or spread far, with the table growing and entries moved back as
     * others leave; every call still open is the one a reset of its stream reaches.
     */
    @Test
    void openCallsAreFoundByTheirStreamsWhateverOrderTheyOpenAndEndIn() {
        for (int seed = 0; seed < 40; seed++) {
            ConnectionCalls table = new ConnectionCalls(null);
            Map<Integer, RequestMessages> model = new HashMap<>();
            Map<Integer, Call> delegates = new HashMap<>();
            Random random = new Random(seed);
            int spread = seed % 2 == 0 ? 64 : 1 << 20;
            for (int op = 0; op < 3_000; op++) {
                int streamId = 1 + 2 * random.nextInt(spread);
                RequestMessages open = model.get(streamId);
                if (open == null) {
                    Call call = new Call(Http2StreamState.OPEN);
                    RequestMessages messages = new RequestMessages(call, null, streamId, false, 1024,
                            (RejectionReason reason, String message, long bytes) -> PushService.status(reason, message),
                            Runnable::run, c -> { });
                    table.opened(streamId, messages);
                    model.put(streamId, messages);
                    delegates.put(streamId, call);
                } else if (random.nextBoolean()) {
                    table.ended(streamId, open);
                    model.remove(streamId);
                    delegates.remove(streamId);
                } else {
                    table.ended(streamId, new Call(Http2StreamState.CLOSED)); // another stream's call: kept
                }
                assertEquals(model.size(), table.held(), "seed " + seed + ", operation " + op);
            }
            for (Map.Entry<Integer, Call> entry : delegates.entrySet()) {
                model.get(entry.getKey()).init();
                assertTrue(table.reset(entry.getKey()), "seed " + seed + ", stream " + entry.getKey());
                assertEquals(List.of(Http2ErrorCode.CANCEL), entry.getValue().resets);
            }
            int closed = 1 + 2 * spread;
            assertFalse(table.reset(closed), "a stream without a call");
        }
    }

    @Test
    void bytesDroppedAfterAResetAreGivenBackToTheConnectionsWindow() {
        calls.dropped(70_000);
        assertArrayEquals(new byte[]{0, 0, 4, 8, 0, 0, 0, 0, 0, 0, 1, 0x11, 0x70}, written.toByteArray(),
                "WINDOW_UPDATE on stream 0 by 70,000");
    }
}
