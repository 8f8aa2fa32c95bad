package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
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
 *
 * <p>The calls are kept in a table of their own, by stream id, under this object's lock: a push
 * registers and forgets its call once each, and a {@code ConcurrentHashMap} boxed the stream id
 * and allocated a node for it every time. Nothing blocks while the lock is held, so a virtual thread
 * holds its carrier only briefly; the calls are told outside it: what they do then (a listener's
 * {@code onCancel}) may take as long as it likes.
 */
final class ConnectionCalls implements RewritingFrameReader.ClientResets {
    private static final Logger LOGGER = Logger.getLogger(ConnectionCalls.class.getName());
    /** Resets of streams without a call yet kept to tell their calls; older ones are streams that never became one. */
    static final int UNSTARTED_RESETS_KEPT = 1024;
    private static final int WINDOW_UPDATE = 0x8;
    private static final int INITIAL_SLOTS = 8;

    private final DataWriter writer;
    /**
     * The open calls' stream ids and calls, slot by slot (open addressing, linear probing; id 0,
     * which no client stream has, marks a free slot); at most half the slots are taken.
     */
    private int[] ids = new int[INITIAL_SLOTS];
    private RequestMessages[] calls = new RequestMessages[INITIAL_SLOTS];
    private int size;
    /** Streams the client reset before their call registered here (HTTP requests too, which never do). */
    private final TreeSet<Integer> resetUnstarted = new TreeSet<>();

    /** @param writer the connection's socket writer, for window updates */
    ConnectionCalls(DataWriter writer) {
        this.writer = writer;
    }

    /**
     * Registers the call of a stream (on the stream's thread, before the call starts); the call is
     * told at once if the client has reset the stream already.
     */
    void opened(int streamId, RequestMessages call) {
        boolean resetAlready;
        synchronized (this) {
            put(streamId, call);
            resetAlready = !resetUnstarted.isEmpty() && resetUnstarted.remove(streamId);
        }
        if (resetAlready) {
            call.resetBeforeStart();
        }
    }

    /** Forgets a call that has ended on both sides. */
    synchronized void ended(int streamId, SubProtocolHandler call) {
        int slot = slotOf(streamId);
        if (ids[slot] == streamId && calls[slot] == call) {
            removeAt(slot);
        }
    }

    /** Calls registered and not yet ended. */
    synchronized int held() {
        return size;
    }

    /** On the connection's thread: whichever of the two registers first, the call or the reset, tells the other. */
    @Override
    public boolean reset(int streamId) {
        RequestMessages call;
        synchronized (this) {
            int slot = slotOf(streamId);
            call = ids[slot] == streamId ? calls[slot] : null;
            if (call == null) {
                resetUnstarted.add(streamId);
                if (resetUnstarted.size() > UNSTARTED_RESETS_KEPT) {
                    resetUnstarted.pollFirst();
                }
                return false; // no call yet: it takes the reset when it registers
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
        List<RequestMessages> open = new ArrayList<>();
        synchronized (this) {
            for (RequestMessages call : calls) {
                if (call != null) {
                    open.add(call);
                }
            }
            ids = new int[INITIAL_SLOTS];
            calls = new RequestMessages[INITIAL_SLOTS];
            size = 0;
            resetUnstarted.clear();
        }
        for (RequestMessages call : open) {
            try {
                call.connectionEnded();
            } catch (RuntimeException e) {
                LOGGER.log(Level.FINE, "ending a call of a closed connection failed", e);
            }
        }
    }

    /** The slot holding {@code streamId}, or the free slot where it would go; the lock is held. */
    private int slotOf(int streamId) {
        int mask = ids.length - 1;
        int slot = (streamId >>> 1) & mask; // client streams are odd: consecutive ones take consecutive slots
        while (ids[slot] != 0 && ids[slot] != streamId) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void put(int streamId, RequestMessages call) {
        int slot = slotOf(streamId);
        if (ids[slot] == 0) {
            if (2 * (size + 1) > ids.length) {
                grow();
                slot = slotOf(streamId);
            }
            size++;
        }
        ids[slot] = streamId;
        calls[slot] = call;
    }

    private void grow() {
        int[] oldIds = ids;
        RequestMessages[] oldCalls = calls;
        ids = new int[oldIds.length * 2];
        calls = new RequestMessages[oldIds.length * 2];
        for (int i = 0; i < oldIds.length; i++) {
            if (oldIds[i] != 0) {
                int slot = slotOf(oldIds[i]);
                ids[slot] = oldIds[i];
                calls[slot] = oldCalls[i];
            }
        }
    }

    /** Frees a slot, moving back the entries after it that probed past it, so that every entry stays reachable. */
    private void removeAt(int slot) {
        int mask = ids.length - 1;
        int free = slot;
        int next = (free + 1) & mask;
        while (ids[next] != 0) {
            int home = (ids[next] >>> 1) & mask;
            // the entry at next may move to free unless its home lies cyclically in (free, next]
            if (((next - home) & mask) >= ((next - free) & mask)) {
                ids[free] = ids[next];
                calls[free] = calls[next];
                free = next;
            }
            next = (next + 1) & mask;
        }
        ids[free] = 0;
        calls[free] = null;
        size--;
    }
}
