package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.DataReader;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The bytes of a prior-knowledge HTTP/2 connection as Helidon's connection reads them, with every
 * header block a client sends passed through an {@link HpackRewriter}. Frames other than HEADERS
 * (and its CONTINUATIONs) go through unread, in the pieces the socket delivers them; a header block
 * is collected whole, since a field may span its frames, then sent on in frames of the sizes it came
 * in. Whatever does not look like what Helidon accepts (a frame above its size limit, a block above
 * its header list limit, a CONTINUATION missing, HPACK it cannot decode) is passed on as it came,
 * and this connection is no longer rewritten: Helidon refuses it and ends the connection.
 *
 * <p>It also follows which streams the client has ended or reset, for two faults of Helidon 4.4.0:
 * <ul>
 *   <li>A DATA frame on a stream the client has reset ends the whole connection with
 *   {@code GOAWAY(PROTOCOL_ERROR)}, and every other call on it fails. grpc-java 1.73 sends one when a
 *   call is answered before its client has sent all of it: it resets the stream, then sends the
 *   DATA it had queued. Such frames are dropped here, and their bytes given back to the
 *   connection's window, as RFC 9113 has an endpoint do with frames in flight on a stream it reset.</li>
 *   <li>A stream's thread that waits for the client's next DATA frame waits for good once the client
 *   resets the stream. When the client resets a stream of a gRPC call while its side was open, an
 *   empty END_STREAM DATA frame is put before the reset: it wakes that thread, and the call, told
 *   of the reset first ({@link ClientResets#reset}), drops it.</li>
 * </ul>
 *
 * <p>Used by the connection's thread only, as Helidon's own reader.
 */
final class RewritingFrameReader implements Supplier<byte[]> {
    /** What the reader tells its connection. */
    interface ClientResets {
        /**
         * The client reset {@code streamId} while its side was open, before Helidon reads the reset.
         *
         * @return whether to put an empty END_STREAM DATA frame before the reset, for the stream's call
         */
        boolean reset(int streamId);

        /** The client sent {@code bytes} (more than 0) of DATA on streams it had reset, which Helidon never reads. */
        void dropped(int bytes);
    }

    /** Streams the client reset that DATA frames are still dropped for; a client sends such frames right after its reset. */
    static final int RESETS_REMEMBERED = 64;
    private static final int DATA = 0x0;
    private static final int RST_STREAM = 0x3;
    private static final int END_STREAM = 0x1;
    private static final int PREFACE_LENGTH = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    private static final int FRAME_HEADER = 9;
    private static final int HEADERS = 0x1;
    private static final int CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;
    private static final int PRIORITY_LENGTH = 5;

    private final DataReader socket;
    private final HpackRewriter rewriter;
    private final int maxFrameSize;
    private final long maxHeaderListSize;

    private final ClientResets resets;

    private boolean prefaceRead;
    /** Payload bytes of the current frame still to pass on as they come. */
    private long passThrough;
    /** Payload bytes of the current frame still to drop. */
    private long dropping;
    private boolean rewriting = true;
    /** Streams whose client side is open: HEADERS came, neither END_STREAM nor RST_STREAM yet. */
    private final Set<Integer> clientOpen = new HashSet<>();
    private final int[] recentResets = new int[RESETS_REMEMBERED];
    private int resetsHeld;
    private int nextReset;

    /**
     * @param socket            the connection's bytes, as Helidon would read them
     * @param maxFrameSize      Helidon's SETTINGS_MAX_FRAME_SIZE: larger frames pass as they came
     * @param maxHeaderListSize Helidon's limit on a block spread over CONTINUATION frames
     */
    RewritingFrameReader(DataReader socket, HpackRewriter rewriter, int maxFrameSize, long maxHeaderListSize,
                         ClientResets resets) {
        this.resets = resets;
        this.socket = socket;
        this.rewriter = rewriter;
        this.maxFrameSize = maxFrameSize;
        this.maxHeaderListSize = maxHeaderListSize;
    }

    @Override
    public byte[] get() {
        if (!prefaceRead) {
            prefaceRead = true;
            return socket.readBytes(PREFACE_LENGTH);
        }
        if (passThrough > 0) {
            socket.ensureAvailable();
            int n = (int) Math.min(passThrough, socket.available());
            passThrough -= n;
            return socket.readBytes(n);
        }
        while (true) {
            if (dropping > 0) {
                socket.ensureAvailable();
                int n = (int) Math.min(dropping, socket.available());
                socket.skip(n);
                dropping -= n;
                continue;
            }
            byte[] header = socket.readBytes(FRAME_HEADER);
            int type = type(header);
            int streamId = streamId(header);
            boolean endOfStream = (header[4] & END_STREAM) != 0;
            if (type == DATA && resetEarlier(streamId)) {
                dropping = length(header);
                if (dropping > 0) {
                    resets.dropped(length(header));
                }
                continue;
            }
            if ((type == DATA || type == HEADERS) && endOfStream) {
                clientOpen.remove(streamId);
            } else if (type == HEADERS) {
                clientOpen.add(streamId);
            } else if (type == RST_STREAM) {
                boolean open = clientOpen.remove(streamId);
                rememberReset(streamId);
                if (open && resets.reset(streamId)) {
                    passThrough = length(header);
                    return concat(wakeFrame(streamId), header);
                }
            }
            if (rewriting && type == HEADERS && length(header) > maxFrameSize) {
                rewriting = false; // Helidon ends the connection: nothing to buffer it for
            }
            if (!rewriting || type != HEADERS) {
                passThrough = length(header);
                return header;
            }
            return headerBlock(header);
        }
    }

    private boolean resetEarlier(int streamId) {
        for (int i = 0; i < resetsHeld; i++) {
            if (recentResets[i] == streamId) {
                return true;
            }
        }
        return false;
    }

    private void rememberReset(int streamId) {
        recentResets[nextReset] = streamId;
        nextReset = (nextReset + 1) % RESETS_REMEMBERED;
        resetsHeld = Math.min(resetsHeld + 1, RESETS_REMEMBERED);
    }

    /** An empty DATA frame with END_STREAM on {@code streamId}. */
    private static byte[] wakeFrame(int streamId) {
        return new byte[]{0, 0, 0, DATA, END_STREAM, (byte) (streamId >>> 24), (byte) (streamId >>> 16),
                (byte) (streamId >>> 8), (byte) streamId};
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** A HEADERS frame and its CONTINUATIONs, with the block rewritten if it needs it. */
    private byte[] headerBlock(byte[] firstHeader) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream(FRAME_HEADER + length(firstHeader));
        ByteArrayOutputStream block = new ByteArrayOutputStream(length(firstHeader));
        byte[] first = socket.readBytes(length(firstHeader));
        frames.writeBytes(firstHeader);
        frames.writeBytes(first);

        int flags = firstHeader[4] & 0xFF;
        int fragmentStart = ((flags & PADDED) != 0 ? 1 : 0) + ((flags & PRIORITY) != 0 ? PRIORITY_LENGTH : 0);
        int padding = (flags & PADDED) != 0 && first.length > 0 ? first[0] & 0xFF : 0;
        int firstFragment = first.length - fragmentStart - padding;
        if (firstFragment < 0) {
            return passOn(frames); // Helidon refuses the padding
        }
        block.write(first, fragmentStart, firstFragment);
        List<Integer> fragmentSizes = new ArrayList<>();
        fragmentSizes.add(firstFragment);

        int streamId = streamId(firstHeader);
        long listSize = first.length;
        byte[] lastHeader = firstHeader;
        while ((lastHeader[4] & END_HEADERS) == 0) {
            byte[] next = socket.readBytes(FRAME_HEADER);
            frames.writeBytes(next);
            listSize += length(next);
            if (type(next) != CONTINUATION || streamId(next) != streamId || length(next) > maxFrameSize
                    || listSize > maxHeaderListSize) {
                passThrough = length(next);
                return passOn(frames);
            }
            byte[] payload = socket.readBytes(length(next));
            frames.writeBytes(payload);
            block.writeBytes(payload);
            fragmentSizes.add(payload.length);
            lastHeader = next;
        }

        byte[] original = block.toByteArray();
        byte[] rewritten;
        try {
            rewritten = rewriter.rewrite(original);
        } catch (HpackRewriter.MalformedBlockException e) {
            return passOn(frames);
        }
        if (rewritten == original) {
            return frames.toByteArray();
        }
        return reframed(firstHeader, first, fragmentStart, rewritten, fragmentSizes);
    }

    private byte[] passOn(ByteArrayOutputStream frames) {
        rewriting = false;
        return frames.toByteArray();
    }

    /**
     * The rewritten block in frames no larger than the original ones (plus any bytes the block grew
     * by, in a further CONTINUATION): padding dropped, priority kept, END_STREAM on the HEADERS frame
     * as it came, END_HEADERS on the last frame.
     */
    private byte[] reframed(byte[] firstHeader, byte[] first, int fragmentStart, byte[] block,
                            List<Integer> fragmentSizes) {
        int streamId = streamId(firstHeader);
        int flags = firstHeader[4] & 0xFF & ~PADDED & ~END_HEADERS;
        boolean priority = (flags & PRIORITY) != 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream(block.length + FRAME_HEADER * (fragmentSizes.size() + 1));
        int written = 0;
        for (int i = 0; written < block.length || i == 0; i++) {
            int room = i < fragmentSizes.size() ? fragmentSizes.get(i) : maxFrameSize;
            if (i >= fragmentSizes.size() - 1) {
                room = Math.max(room, Math.min(block.length - written, maxFrameSize - (i == 0 && priority ? PRIORITY_LENGTH : 0)));
            }
            int n = Math.min(room, block.length - written);
            boolean last = written + n == block.length;
            int frameFlags = (i == 0 ? flags : 0) | (last ? END_HEADERS : 0);
            int length = n + (i == 0 && priority ? PRIORITY_LENGTH : 0);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
            out.write(i == 0 ? HEADERS : CONTINUATION);
            out.write(frameFlags);
            out.write(streamId >>> 24);
            out.write(streamId >>> 16);
            out.write(streamId >>> 8);
            out.write(streamId);
            if (i == 0 && priority) {
                out.write(first, fragmentStart - PRIORITY_LENGTH, PRIORITY_LENGTH);
            }
            out.write(block, written, n);
            written += n;
        }
        return out.toByteArray();
    }

    private static int length(byte[] header) {
        return (header[0] & 0xFF) << 16 | (header[1] & 0xFF) << 8 | (header[2] & 0xFF);
    }

    private static int type(byte[] header) {
        return header[3] & 0xFF;
    }

    private static int streamId(byte[] header) {
        return (header[5] & 0x7F) << 24 | (header[6] & 0xFF) << 16 | (header[7] & 0xFF) << 8 | (header[8] & 0xFF);
    }
}
