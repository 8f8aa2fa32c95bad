package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.DataReader;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
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
 * <p>Used by the connection's thread only, as Helidon's own reader.
 */
final class RewritingFrameReader implements Supplier<byte[]> {
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

    private boolean prefaceRead;
    /** Payload bytes of the current frame still to pass on as they come. */
    private long passThrough;
    private boolean rewriting = true;

    /**
     * @param socket            the connection's bytes, as Helidon would read them
     * @param maxFrameSize      Helidon's SETTINGS_MAX_FRAME_SIZE: larger frames pass as they came
     * @param maxHeaderListSize Helidon's limit on a block spread over CONTINUATION frames
     */
    RewritingFrameReader(DataReader socket, HpackRewriter rewriter, int maxFrameSize, long maxHeaderListSize) {
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
        byte[] header = socket.readBytes(FRAME_HEADER);
        if (rewriting && type(header) == HEADERS && length(header) > maxFrameSize) {
            rewriting = false; // Helidon ends the connection: nothing to buffer it for
        }
        if (!rewriting || type(header) != HEADERS) {
            passThrough = length(header);
            return header;
        }
        return headerBlock(header);
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
