package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The calls of a connection that has ended are cancelled, as a client's RST_STREAM(CANCEL) would. */
class ConnectionScopeTest {
    /** A call in a given state that records the resets it gets. */
    private static final class Call implements SubProtocolHandler {
        final List<Http2ErrorCode> resets = new ArrayList<>();
        Http2StreamState state;

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
        }
    }

    @Test
    void callsStillOpenAreCancelledOnceAndEndedOnesAreLeftAlone() {
        ConnectionScope scope = new ConnectionScope(null, null, null);
        Call watching = new Call(Http2StreamState.HALF_CLOSED_REMOTE); // a health Watch: the server never ends it
        Call streaming = new Call(Http2StreamState.OPEN);
        Call answered = new Call(Http2StreamState.HALF_CLOSED_LOCAL);
        Call closed = new Call(Http2StreamState.CLOSED);
        for (Call call : List.of(watching, streaming, answered, closed)) {
            scope.opened(call);
        }
        scope.cancelOpenCalls();
        scope.cancelOpenCalls();
        assertEquals(List.of(Http2ErrorCode.CANCEL), watching.resets);
        assertEquals(List.of(Http2ErrorCode.CANCEL), streaming.resets);
        assertEquals(List.of(), answered.resets);
        assertEquals(List.of(), closed.resets);
    }

    @Test
    void endedCallsAreForgottenSoTheSetStaysSmall() {
        ConnectionScope scope = new ConnectionScope(null, null, null);
        Call watching = new Call(Http2StreamState.HALF_CLOSED_REMOTE);
        scope.opened(watching);
        for (int i = 0; i < 1000; i++) {
            scope.opened(new Call(i % 2 == 0 ? Http2StreamState.CLOSED : Http2StreamState.HALF_CLOSED_LOCAL));
        }
        assertTrue(scope.held() <= ConnectionScope.SWEEP_AT, scope.held() + " calls held");
        Call answered = new Call(Http2StreamState.HALF_CLOSED_LOCAL);
        scope.opened(answered);
        int held = scope.held();
        scope.forget(answered);
        assertEquals(held - 1, scope.held(), "a call that tells it has ended is forgotten at once");
        scope.cancelOpenCalls();
        assertEquals(List.of(Http2ErrorCode.CANCEL), watching.resets); // the open one was never swept out
    }
}
