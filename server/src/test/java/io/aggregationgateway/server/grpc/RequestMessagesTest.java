package io.aggregationgateway.server.grpc;

import io.aggregationgateway.server.model.RejectionReason;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When {@link RequestMessages} passes a client's reset on to the call it wraps. */
class RequestMessagesTest {
    /** What the wrapped call was told, in order. */
    private final List<String> events = new CopyOnWriteArrayList<>();
    /** The calls {@link RequestMessages} reported as ended, so their connection forgets them. */
    private final List<SubProtocolHandler> endings = new CopyOnWriteArrayList<>();
    private final CountDownLatch starting = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    /** A call whose start waits for {@link #release}, as one whose guard checks a password does. */
    private final SubProtocolHandler call = new SubProtocolHandler() {
        @Override
        public void init() {
            events.add("init started");
            starting.countDown();
            await(release);
            events.add("init done");
        }

        @Override
        public Http2StreamState streamState() {
            return Http2StreamState.OPEN;
        }

        @Override
        public void rstStream(Http2RstStream rstStream) {
            events.add("reset " + rstStream.errorCode());
        }

        @Override
        public void windowUpdate(Http2WindowUpdate update) {
        }

        @Override
        public void data(Http2FrameHeader header, BufferData data) {
        }
    };

    private final RequestMessages messages = new RequestMessages(call, null, 1, false, 1024,
            (RejectionReason reason, String message, long bytes) -> PushService.status(reason, message), Runnable::run,
            endings::add);

    @Test
    void aResetWhileTheCallStartsIsPassedOnOnceItHasStarted() throws InterruptedException {
        Thread stream = Thread.ofVirtual().start(messages::init);
        await(starting);
        messages.rstStream(new Http2RstStream(Http2ErrorCode.CANCEL)); // the connection's thread
        assertEquals(List.of("init started"), events, "not while the call starts");
        release.countDown();
        assertTrue(stream.join(java.time.Duration.ofSeconds(10)));
        assertEquals(List.of("init started", "init done", "reset CANCEL"), events);
        assertEquals(Http2StreamState.CLOSED, messages.streamState(), "so the stream waits for no further frames");
        assertTrue(endings.contains(messages), "a reset call is reported ended");
    }

    @Test
    void aResetBeforeTheCallStartsIsPassedOnOnceItHasStarted() {
        release.countDown();
        messages.rstStream(new Http2RstStream(Http2ErrorCode.CANCEL));
        assertEquals(List.of(), events);
        assertEquals(List.of(), endings, "not ended before the call has started");
        messages.init();
        assertEquals(List.of("init started", "init done", "reset CANCEL"), events);
    }

    @Test
    void aResetOnceTheCallHasStartedIsPassedOnAtOnce() {
        release.countDown();
        messages.init();
        messages.rstStream(new Http2RstStream(Http2ErrorCode.CANCEL));
        assertEquals(List.of("init started", "init done", "reset CANCEL"), events);
    }

    @Test
    void aCallStillOpenIsNotReportedEnded() {
        release.countDown();
        messages.init();
        assertEquals(List.of(), endings);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
