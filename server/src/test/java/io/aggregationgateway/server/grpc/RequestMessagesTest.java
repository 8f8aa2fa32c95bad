package io.aggregationgateway.server.grpc;

import io.aggregationgateway.server.model.RejectionReason;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When {@link RequestMessages} passes a client's reset on to the call it wraps, and how it keeps
 * Helidon's stream loop going until the stream has ended on both sides, and no longer.
 */
class RequestMessagesTest {
    /** What the wrapped call was told, in order. */
    private final List<String> events = new CopyOnWriteArrayList<>();
    /** The calls {@link RequestMessages} reported as ended, so their connection forgets them. */
    private final List<SubProtocolHandler> endings = new CopyOnWriteArrayList<>();
    private final CountDownLatch starting = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    /** A wrapped call in a fixed state that records its resets in {@code seen}; what its start and each frame do is given. */
    private static final class Probe implements SubProtocolHandler {
        private final List<String> seen;
        private final Http2StreamState state;
        private final Runnable onInit;
        private final Runnable onData;

        Probe(List<String> seen, Http2StreamState state, Runnable onInit, Runnable onData) {
            this.seen = seen;
            this.state = state;
            this.onInit = onInit;
            this.onData = onData;
        }

        @Override
        public void init() {
            onInit.run();
        }

        @Override
        public Http2StreamState streamState() {
            return state;
        }

        @Override
        public void rstStream(Http2RstStream rstStream) {
            seen.add("reset " + rstStream.errorCode());
        }

        @Override
        public void windowUpdate(Http2WindowUpdate update) {
        }

        @Override
        public void data(Http2FrameHeader header, BufferData data) {
            onData.run();
        }
    }

    /** {@code call} wrapped as {@link GrpcCalls} wraps a call; its endings go to {@link #endings}. */
    private RequestMessages wrapped(SubProtocolHandler call) {
        return new RequestMessages(call, null, 1, false, 1024,
                (RejectionReason reason, String message, long bytes) -> PushService.status(reason, message), Runnable::run,
                endings::add);
    }

    /** A call whose start waits for {@link #release}, as one whose guard checks a password does. */
    private final SubProtocolHandler call = new Probe(events, Http2StreamState.OPEN, () -> {
        events.add("init started");
        starting.countDown();
        await(release);
        events.add("init done");
    }, () -> { });

    private final RequestMessages messages = wrapped(call);

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

    /** The stream's thread as Helidon 4.4.0 runs it: the call's start, then frames taken one by one while the call says it is open. */
    private static Thread helidonLoop(RequestMessages messages, BlockingQueue<Http2FrameHeader> frames, List<String> outcome) {
        return Thread.ofVirtual().start(() -> {
            messages.init();
            try {
                while (messages.streamState() != Http2StreamState.CLOSED
                        && messages.streamState() != Http2StreamState.HALF_CLOSED_LOCAL) {
                    Http2FrameHeader frame = frames.take();
                    messages.data(frame, BufferData.create(new byte[frame.length()]));
                }
                outcome.add("loop ended");
            } catch (InterruptedException e) {
                outcome.add("interrupted while waiting for a frame");
            }
        });
    }

    private static Http2FrameHeader frame(int length, boolean endOfStream) {
        return Http2FrameHeader.create(length, Http2FrameTypes.DATA,
                Http2Flag.DataFlags.create(endOfStream ? Http2Flag.END_OF_STREAM : 0), 1);
    }

    private static void awaitWaiting(Thread thread) throws InterruptedException {
        for (int i = 0; i < 1000 && thread.getState() != Thread.State.WAITING; i++) {
            Thread.sleep(10);
        }
        assertEquals(Thread.State.WAITING, thread.getState());
    }

    @Test
    void aResetByTheClientEndsTheLoopWithTheWakeFrameAndDropsWhatCameBefore() throws Exception {
        release.countDown();
        BlockingQueue<Http2FrameHeader> frames = new LinkedBlockingQueue<>();
        List<String> outcome = new CopyOnWriteArrayList<>();
        Thread stream = helidonLoop(messages, frames, outcome);
        awaitWaiting(stream);
        assertTrue(messages.resetByClient()); // the reader, before it hands Helidon the wake frame and the reset
        frames.add(frame(10, false)); // sent before the reset
        frames.add(frame(0, true)); // the wake frame
        assertTrue(stream.join(Duration.ofSeconds(10)));
        assertEquals(List.of("loop ended"), outcome);
        assertEquals(List.of("init started", "init done", "reset CANCEL"), events, "no frame reached the call");
        assertTrue(endings.contains(messages));
    }

    @Test
    void theConnectionsEndInterruptsTheStreamsThreadWhileItWaitsForAFrame() throws Exception {
        release.countDown();
        List<String> outcome = new CopyOnWriteArrayList<>();
        Thread stream = helidonLoop(messages, new LinkedBlockingQueue<>(), outcome);
        awaitWaiting(stream);
        messages.connectionEnded();
        assertTrue(stream.join(Duration.ofSeconds(10)));
        assertEquals(List.of("interrupted while waiting for a frame"), outcome);
        assertEquals(List.of("init started", "init done", "reset CANCEL"), events);
        assertEquals(Http2StreamState.CLOSED, messages.streamState());
    }

    @Test
    void theConnectionsEndNeverInterruptsTheCallsOwnCode() throws Exception {
        CountDownLatch inData = new CountDownLatch(1);
        CountDownLatch finishData = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        // as a push being applied, which may write to the disk
        RequestMessages wrapped = wrapped(new Probe(seen, Http2StreamState.OPEN, () -> { }, () -> {
            inData.countDown();
            await(finishData);
            seen.add("interrupted in the call's code: " + Thread.currentThread().isInterrupted());
        }));
        BlockingQueue<Http2FrameHeader> frames = new LinkedBlockingQueue<>();
        frames.add(frame(5, false));
        List<String> outcome = new CopyOnWriteArrayList<>();
        Thread stream = helidonLoop(wrapped, frames, outcome);
        await(inData);
        wrapped.connectionEnded();
        finishData.countDown();
        assertTrue(stream.join(Duration.ofSeconds(10)));
        assertEquals(List.of("reset CANCEL", "interrupted in the call's code: false"), seen);
        assertEquals(List.of("loop ended"), outcome, "the call says CLOSED on its return, so the loop ends");
    }

    @Test
    void aCallAnsweredBeforeTheClientsEndReadsOnUntilItAndDropsWhatComes() throws Exception {
        RequestMessages wrapped = wrapped(new Probe(events, Http2StreamState.HALF_CLOSED_LOCAL,
                () -> events.add("refused at its start"), () -> events.add("data")));
        BlockingQueue<Http2FrameHeader> frames = new LinkedBlockingQueue<>(List.of(frame(100, false), frame(7, true)));
        List<String> outcome = new CopyOnWriteArrayList<>();
        Thread stream = helidonLoop(wrapped, frames, outcome);
        assertTrue(stream.join(Duration.ofSeconds(10)));
        assertEquals(List.of("loop ended"), outcome);
        assertTrue(frames.isEmpty(), "Helidon took both frames, and gave their bytes back to the window");
        assertEquals(List.of("refused at its start"), events);
        assertEquals(Http2StreamState.CLOSED, wrapped.streamState());
        assertTrue(endings.contains(wrapped));
        wrapped.connectionEnded();
        assertEquals(List.of("refused at its start"), events, "a call that has answered is not cancelled");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
