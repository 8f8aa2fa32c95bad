package io.aggregationgateway.server.grpc;

import io.aggregationgateway.server.ingest.BoundedRead;
import io.aggregationgateway.server.model.RejectionReason;
import io.grpc.Status;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads the length-prefixed messages of a gRPC call's request stream (a compressed flag, a 4-byte
 * big-endian length, the message) before Helidon's gRPC handler sees them, and ends the call with a
 * clear status when they are not what the call declared:
 * <ul>
 *   <li>a message flagged compressed in a call without {@code grpc-encoding} (Helidon 4.4.0 waited
 *   for ever), or with a flag other than 0 and 1: {@code INVALID_ARGUMENT};</li>
 *   <li>a stream that ends inside a message (Helidon answered {@code INTERNAL}): {@code INVALID_ARGUMENT};</li>
 *   <li>a message longer than the gateway's limit: {@code RESOURCE_EXHAUSTED}, before it is buffered.</li>
 * </ul>
 * Uncompressed calls pass through as they came; nothing is copied. In a {@code grpc-encoding: gzip}
 * call the messages are decompressed here, so Helidon's handler gets plain messages (flag 0):
 * Helidon 4.4.0 cannot read gzip-compressed messages itself (seen on JDK 25): its message stream
 * throws {@code ArrayIndexOutOfBoundsException} from {@code read()} at its end instead of returning
 * -1, and {@code GZIPInputStream} reads on past the gzip trailer to look for a further member; the
 * call was then cancelled without a status and the client waited for its deadline. Decompressing
 * here also bounds what a small compressed message may expand to.
 *
 * <p>It also ends each stream the way Helidon 4.4.0's loop needs: what the client sends after the
 * call was answered is read and dropped ({@link #streamState}), and the stream's thread does not
 * wait for a frame for good once the client has reset the stream ({@link #resetByClient}) or the
 * connection has ended ({@link #connectionEnded}).
 *
 * <p>Runs on the stream's thread, like the handler it wraps: no locking; only a client's reset and
 * the connection's end come from the connection's thread (see {@link #init}).
 */
final class RequestMessages implements SubProtocolHandler {
    /** Words and counts a refused message; {@link PushService#refuse} for pushes. */
    @FunctionalInterface
    interface Refusals {
        Status refuse(RejectionReason reason, String message, long bytes);
    }

    private static final int HEADER = 5;

    private final SubProtocolHandler delegate;
    private final CallWriter writer;
    private final int streamId;
    private final boolean gzip;
    private final int maxMessageBytes;
    private final Refusals refusals;
    /** Runs the delegate's handling of the last frame, whose answer it writes, with that answer's frames sent at once. */
    private final Consumer<Runnable> answer;
    private final Consumer<SubProtocolHandler> whenEnded;

    private final byte[] header = new byte[HEADER];
    private int headerFill;
    private int messageLength;
    private int messageFill;
    /** gzip calls only: the compressed message being collected. */
    private byte[] message;
    /** Set once this wrapper has ended the call itself; frames after that are dropped. */
    private volatile Http2StreamState ended;
    /** Until {@link #init} has run: a client's reset then waits in {@link #resetDuringInit}. */
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
    private volatile Http2RstStream resetDuringInit;
    /** The client reset the stream: nothing more comes or goes. */
    private volatile boolean reset;
    /** The empty END_STREAM frame the reader put before the client's reset is still to come through Helidon's loop. */
    private volatile boolean wakeFramePending;
    /** The client has ended its side (END_STREAM seen). */
    private volatile boolean remoteEnded;
    private volatile boolean connectionEnded;
    /** Where the stream's thread is: in this class's (and the call's) code, or waiting in Helidon's loop for a frame. */
    private final AtomicReference<Loop> loop = new AtomicReference<>(Loop.RUNNING);
    private volatile Thread streamThread;

    private enum Phase { STARTING, RESET_WHILE_STARTING, STARTED }

    /** WOKEN: the connection ended while the thread waited, and it is being interrupted: nothing of the call may run. */
    private enum Loop { RUNNING, WAITING, WOKEN }

    /**
     * @param gzip      whether the call declared {@code grpc-encoding: gzip} (else identity)
     * @param whenEnded told (with this call, possibly more than once) once the call has ended on both
     *                  sides and its stream's thread leaves Helidon's loop: its connection then forgets it
     */
    RequestMessages(SubProtocolHandler delegate, CallWriter writer, int streamId, boolean gzip, int maxMessageBytes,
                    Refusals refusals, Consumer<Runnable> answer, Consumer<SubProtocolHandler> whenEnded) {
        this.answer = answer;
        this.whenEnded = whenEnded;
        this.delegate = delegate;
        this.writer = writer;
        this.streamId = streamId;
        this.gzip = gzip;
        this.maxMessageBytes = maxMessageBytes;
        this.refusals = refusals;
    }

    /**
     * Starts the delegate's call, then passes on a reset that came meanwhile. Helidon 4.4.0 resets a
     * call from the connection's thread while the stream's thread may still be starting it, and
     * its handler, whose listener is not set yet, then fails with a NullPointerException there,
     * which ends the whole connection with GOAWAY(INTERNAL_ERROR): every other call on it failed
     * with INTERNAL because one client cancelled a call that was slow to start.
     */
    @Override
    public void init() {
        streamThread = Thread.currentThread();
        delegate.init();
        if (phase.getAndSet(Phase.STARTED) == Phase.RESET_WHILE_STARTING) {
            cancelDelegate(resetDuringInit);
        }
        loop.set(Loop.WAITING);
        reportIfEnded();
    }

    /** On the stream's thread, which then leaves Helidon's loop: tells {@code whenEnded} once the call has ended on both sides. */
    private void reportIfEnded() {
        if (streamState() == Http2StreamState.CLOSED) {
            whenEnded.accept(this);
        }
    }

    /**
     * What Helidon's stream loop goes by: it hands this wrapper the client's frames, and gives their
     * bytes back to the flow-control windows, until this says CLOSED or HALF_CLOSED_LOCAL. Helidon
     * 4.4.0 stops reading at HALF_CLOSED_LOCAL: the DATA a client sent after a call was answered or
     * refused then stayed unread, its bytes were never given back, and after a megabyte of refused
     * pushes the client's connection could send nothing more. So a call answered before the client
     * ended its side is OPEN here until the client's END_STREAM (or reset) has come through, and what
     * comes meanwhile is dropped.
     */
    @Override
    public Http2StreamState streamState() {
        if (connectionEnded) {
            return Http2StreamState.CLOSED;
        }
        if (reset) {
            return wakeFramePending ? Http2StreamState.OPEN : Http2StreamState.CLOSED;
        }
        Http2StreamState own = ended != null ? ended : delegate.streamState();
        if (own == Http2StreamState.CLOSED || own == Http2StreamState.HALF_CLOSED_LOCAL) {
            return remoteEnded ? Http2StreamState.CLOSED : Http2StreamState.OPEN;
        }
        return own;
    }

    /** Called on the connection's thread; passed on at once once the call has started, else after {@link #init}. */
    @Override
    public void rstStream(Http2RstStream rstStream) {
        cancel(rstStream);
    }

    /**
     * The connection's reader saw the client reset this stream while its side was open, before
     * Helidon reads the reset; it then puts an empty END_STREAM DATA frame before the reset, which
     * wakes the stream's thread if it waits in Helidon's loop (Helidon 4.4.0 leaves it waiting for
     * good), and which is dropped here.
     *
     * @return whether the reader is to put that frame in: false if the stream was reset already
     */
    boolean resetByClient() {
        if (reset) {
            return false;
        }
        wakeFramePending = true;
        cancel(new Http2RstStream(Http2ErrorCode.CANCEL));
        return true;
    }

    /** The client reset the stream before this call was registered (Helidon then tells no call). */
    void resetBeforeStart() {
        cancel(new Http2RstStream(Http2ErrorCode.CANCEL));
    }

    /**
     * The connection has ended: the call is cancelled if still open, and the stream's thread, if it
     * waits in Helidon's loop for a frame that will never come, is interrupted, which ends that loop.
     * It is interrupted only there, never while the call's code runs.
     */
    void connectionEnded() {
        connectionEnded = true;
        cancel(new Http2RstStream(Http2ErrorCode.CANCEL));
        if (loop.compareAndSet(Loop.WAITING, Loop.WOKEN)) {
            streamThread.interrupt();
        }
    }

    private void cancel(Http2RstStream rstStream) {
        if (reset) {
            return;
        }
        reset = true;
        if (ended != null) {
            return; // this wrapper refused the call and cancelled the delegate then
        }
        resetDuringInit = rstStream;
        if (phase.getAndUpdate(p -> p == Phase.STARTED ? p : Phase.RESET_WHILE_STARTING) == Phase.STARTED) {
            cancelDelegate(rstStream);
        }
    }

    /** Tells the delegate its call was cancelled, unless it has answered already. */
    private void cancelDelegate(Http2RstStream rstStream) {
        Http2StreamState state = delegate.streamState();
        if (state != Http2StreamState.CLOSED && state != Http2StreamState.HALF_CLOSED_LOCAL) {
            delegate.rstStream(rstStream);
        }
    }

    @Override
    public void windowUpdate(Http2WindowUpdate update) {
        delegate.windowUpdate(update);
    }

    @Override
    public void data(Http2FrameHeader frameHeader, BufferData data) {
        if (!loop.compareAndSet(Loop.WAITING, Loop.RUNNING)) {
            return; // the connection ended and this thread is being interrupted
        }
        try {
            boolean endOfStream = frameHeader.flags(Http2FrameTypes.DATA).endOfStream();
            if (reset) {
                if (endOfStream && frameHeader.length() == 0) {
                    wakeFramePending = false; // the reader's frame: the last before the reset
                }
            } else {
                if (endOfStream) {
                    remoteEnded = true;
                }
                if (ended == null && !answered()) {
                    if (gzip) {
                        gunzipped(frameHeader, data, endOfStream);
                    } else {
                        checked(frameHeader, data, endOfStream);
                    }
                }
            }
            reportIfEnded();
        } finally {
            loop.set(Loop.WAITING);
        }
    }

    /** The delegate has ended the call: what the client still sends is dropped. */
    private boolean answered() {
        Http2StreamState state = delegate.streamState();
        return state == Http2StreamState.CLOSED || state == Http2StreamState.HALF_CLOSED_LOCAL;
    }

    /** An uncompressed call's frame: passed on as it is once its framing checks out. */
    private void checked(Http2FrameHeader frameHeader, BufferData data, boolean endOfStream) {
        int available = data.available();
        int offset = 0;
        int messageStart = 0; // where the current message began in this frame (0: in an earlier one)
        while (true) {
            if (headerFill == HEADER && messageFill == messageLength) {
                headerFill = 0; // message complete
            }
            if (offset == available) {
                break;
            }
            if (headerFill < HEADER) {
                if (headerFill == 0) {
                    messageStart = offset;
                }
                while (headerFill < HEADER && offset < available) {
                    header[headerFill++] = (byte) data.get(offset++);
                }
                if (headerFill == HEADER) {
                    Status refusal = startMessage();
                    if (refusal != null) {
                        end(prefix(data, messageStart), refusal);
                        return;
                    }
                }
                continue;
            }
            int n = Math.min(messageLength - messageFill, available - offset);
            offset += n;
            messageFill += n;
        }
        if (endOfStream && headerFill > 0) {
            end(prefix(data, messageStart), truncated());
            return;
        }
        handOn(frameHeader, data, endOfStream);
    }

    /** The frame to the delegate; the last one (a unary call answers to it) with the answer's frames held back. */
    private void handOn(Http2FrameHeader frameHeader, BufferData data, boolean endOfStream) {
        if (endOfStream) {
            answer.accept(() -> delegate.data(frameHeader, data));
        } else {
            delegate.data(frameHeader, data);
        }
    }

    /** A gzip call's frame: its complete messages, decompressed, go on in one frame. */
    private void gunzipped(Http2FrameHeader frameHeader, BufferData data, boolean endOfStream) {
        BufferData plain = BufferData.growing(Math.max(64, data.available() + HEADER));
        while (data.available() > 0) {
            if (headerFill < HEADER) {
                headerFill += data.read(header, headerFill, HEADER - headerFill);
                if (headerFill < HEADER) {
                    break; // the rest of the message header comes in the next frame
                }
                Status refusal = startMessage();
                if (refusal != null) {
                    end(plain, refusal);
                    return;
                }
                message = new byte[messageLength];
            }
            messageFill += data.read(message, messageFill, Math.min(data.available(), messageLength - messageFill));
            if (messageFill < messageLength) {
                break;
            }
            byte[] bytes = message;
            if (header[0] == 1) {
                try {
                    bytes = gunzip(message);
                } catch (IOException e) {
                    end(plain, refusals.refuse(RejectionReason.MALFORMED,
                            "request message is not valid gzip: " + e.getMessage(), message.length));
                    return;
                }
                if (bytes == null) {
                    end(plain, refusals.refuse(RejectionReason.TOO_LARGE, "request message exceeds the maximum gRPC "
                            + "message size of " + maxMessageBytes + " bytes after gzip decoding", maxMessageBytes + 1L));
                    return;
                }
            }
            plain.write(0);
            plain.writeUnsignedInt32(bytes.length);
            plain.write(bytes);
            headerFill = 0;
            message = null;
        }
        if (endOfStream && headerFill > 0) {
            end(plain, truncated());
            return;
        }
        // the frame header carries END_STREAM, which half-closes the call in the delegate
        handOn(frameHeader, plain, endOfStream);
    }

    /** Checks the message header just read; null if the message may follow, else the status to end the call with. */
    private Status startMessage() {
        int flag = header[0] & 0xFF;
        long length = ((header[1] & 0xFFL) << 24) | ((header[2] & 0xFF) << 16) | ((header[3] & 0xFF) << 8)
                | (header[4] & 0xFF);
        if (flag > 1) {
            return refusals.refuse(RejectionReason.MALFORMED, "request message has compressed flag " + flag
                    + "; it must be 0 or 1", length);
        }
        if (flag == 1 && !gzip) {
            return refusals.refuse(RejectionReason.MALFORMED, "request message is flagged compressed, but the call "
                    + "has no grpc-encoding; send grpc-encoding: gzip with it, or send it uncompressed", length);
        }
        if (length > maxMessageBytes) {
            return refusals.refuse(RejectionReason.TOO_LARGE, (flag == 1 ? "compressed " : "") + "request message of "
                    + length + " bytes exceeds the maximum gRPC message size of " + maxMessageBytes + " bytes", length);
        }
        messageLength = (int) length;
        messageFill = 0;
        return null;
    }

    private Status truncated() {
        String where = headerFill < HEADER
                ? "a message header (" + headerFill + " of " + HEADER + " bytes)"
                : "a message (" + messageFill + " of " + messageLength + " bytes)";
        return refusals.refuse(RejectionReason.MALFORMED, "request stream ended inside " + where, messageFill);
    }

    /** The decompressed message, or null once it exceeds {@code maxMessageBytes}. */
    private byte[] gunzip(byte[] compressed) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)) {
            return BoundedRead.atMost(in, maxMessageBytes, 4 * compressed.length);
        }
    }

    /** The first {@code length} bytes of the frame: the messages before a refused one. */
    private static BufferData prefix(BufferData data, int length) {
        byte[] bytes = new byte[length];
        data.read(bytes);
        return BufferData.create(bytes);
    }

    /**
     * Ends the call with a status, after handing the delegate the messages before the refused one
     * (a stream applies those). If one of them already ended the call, the delegate has answered.
     * Otherwise it is told the call was cancelled, so it never answers.
     */
    private void end(BufferData before, Status status) {
        if (before.available() > 0) {
            delegate.data(Http2FrameHeader.create(before.available(), Http2FrameTypes.DATA, Http2Flag.DataFlags.create(0),
                    streamId), before);
        }
        Http2StreamState state = delegate.streamState();
        if (state != Http2StreamState.HALF_CLOSED_LOCAL && state != Http2StreamState.CLOSED) {
            delegate.rstStream(new Http2RstStream(Http2ErrorCode.CANCEL));
            writer.endWith(status);
        }
        ended = Http2StreamState.HALF_CLOSED_LOCAL;
    }
}
