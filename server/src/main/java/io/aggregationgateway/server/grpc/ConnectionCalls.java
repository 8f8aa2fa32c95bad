package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gRPC calls of one HTTP/2 connection, by stream: registered by their streams' threads when
 * they start, told by the connection's reader ({@link RewritingFrameReader}) when the client
 * resets their streams, before Helidon reads the reset, and ended when the connection ends.
 *
 * <p>Helidon 4.4.0 leaves a stream's thread waiting for the next DATA frame for good when the client
 * resets the stream or the connection ends, and it does not tell a call that the stream was reset
 * before the call started: {@link RequestMessages} ends such calls, with what this class tells it.
 */
final class ConnectionCalls implements RewritingFrameReader.ClientResets {
    private static final Logger LOGGER = Logger.getLogger(ConnectionCalls.class.getName());
    /** Resets of streams without a call yet kept to tell their calls; older ones are streams that never became one. */
    static final int UNSTARTED_RESETS_KEPT = 1024;
    private static final int WINDOW_UPDATE = 0x8;

    private final DataWriter writer;
    private final ConcurrentHashMap<Integer, RequestMessages> open = new ConcurrentHashMap<>();
    /** Streams the client reset before their call registered here (HTTP requests too, which never do). */
    private final ConcurrentSkipListSet<Integer> resetUnstarted = new ConcurrentSkipListSet<>();

    /** @param writer the connection's socket writer, for window updates */
    ConnectionCalls(DataWriter writer) {
        this.writer = writer;
    }

    /**
     * Registers the call of a stream (on the stream's thread, before the call starts); the call is
     * told at once if the client has reset the stream already.
     */
    void opened(int streamId, RequestMessages call) {
        open.put(streamId, call);
        if (resetUnstarted.remove(streamId)) {
            call.resetBeforeStart();
        }
    }

    /** Forgets a call that has ended on both sides. */
    void ended(int streamId, SubProtocolHandler call) {
        open.remove(streamId, call);
    }

    /** Calls registered and not yet ended. */
    int held() {
        return open.size();
    }

    /** On the connection's thread: which of the two registers first, the call or the reset, tells the other. */
    @Override
    public boolean reset(int streamId) {
        RequestMessages call = open.get(streamId);
        if (call == null) {
            resetUnstarted.add(streamId);
            if (resetUnstarted.size() > UNSTARTED_RESETS_KEPT) {
                resetUnstarted.pollFirst();
            }
            call = open.get(streamId);
            if (call == null || !resetUnstarted.remove(streamId)) {
                return false; // no call yet, or it registered meanwhile and took the reset itself
            }
        }
        return call.resetByClient();
    }

    /** Gives back to the connection's window what the client sent on streams it had reset, which Helidon never read. */
    @Override
    public void dropped(int bytes) {
        byte[] frame = {0, 0, 4, WINDOW_UPDATE, 0, 0, 0, 0, 0,
                (byte) (bytes >>> 24), (byte) (bytes >>> 16), (byte) (bytes >>> 8), (byte) bytes};
        writer.writeNow(BufferData.create(frame));
    }

    /** Ends every call still registered: the connection is gone (its thread calls this once Helidon's connection has ended). */
    void connectionEnded() {
        for (RequestMessages call : open.values()) {
            try {
                call.connectionEnded();
            } catch (RuntimeException e) {
                LOGGER.log(Level.FINE, "ending a call of a closed connection failed", e);
            }
        }
        open.clear();
        resetUnstarted.clear();
    }
}
