package io.aggregationgateway.server.persist;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * Reads the snapshot file's framing (see {@link FrameWriter}): checks the header, then hands out
 * one frame's payload at a time, each checked against its CRC-32C before anyone reads it. Every
 * problem is an {@link InvalidSnapshotException} saying where it is. Not thread-safe.
 */
final class FrameReader {
    private final InputStream in;
    private final int version;
    private final byte[] frameHeader = new byte[SnapshotFormat.FRAME_HEADER_BYTES];
    private final CRC32C crc = new CRC32C();
    private byte[] payload = new byte[SnapshotFormat.FRAME_TARGET_BYTES + 64 * 1024];
    private int payloadLength;
    private long offset;      // bytes read so far
    private long frameOffset; // where the current frame starts
    private int frames;

    /** Reads and checks the header. */
    FrameReader(InputStream in) throws IOException, InvalidSnapshotException {
        this.in = in;
        byte[] header = new byte[SnapshotFormat.HEADER_BYTES];
        int got = readFully(header, 0, header.length);
        if (got == 0) {
            throw new InvalidSnapshotException("the file is empty");
        }
        int magic = Math.min(got, SnapshotFormat.MAGIC.length);
        for (int i = 0; i < magic; i++) {
            if (header[i] != SnapshotFormat.MAGIC[i]) {
                throw new InvalidSnapshotException("not a snapshot of the aggregation gateway: it begins with bytes "
                        + HexFormat.ofDelimiter(" ").formatHex(header, 0, magic) + ", a snapshot with "
                        + HexFormat.ofDelimiter(" ").formatHex(SnapshotFormat.MAGIC));
            }
        }
        if (got < header.length) {
            throw new InvalidSnapshotException("truncated: the file ends inside its " + header.length + "-byte header, after " + got + " bytes");
        }
        crc.update(header, 0, SnapshotFormat.MAGIC.length + 4);
        if ((int) crc.getValue() != getInt(header, SnapshotFormat.MAGIC.length + 4)) {
            throw new InvalidSnapshotException("corrupt: the header's checksum does not match");
        }
        version = getInt(header, SnapshotFormat.MAGIC.length);
        if (version < 1 || version > SnapshotFormat.VERSION) {
            throw new InvalidSnapshotException("format version " + Integer.toUnsignedString(version)
                    + ", which this build does not read (it reads versions 1 to " + SnapshotFormat.VERSION
                    + "): it was written by a later or an incompatible build");
        }
        offset = header.length;
    }

    int version() {
        return version;
    }

    /**
     * Reads the next frame.
     *
     * @return {@code false} at the end of the file (which may be early: the caller knows whether it
     *         has seen the last record)
     */
    boolean next() throws IOException, InvalidSnapshotException {
        frameOffset = offset;
        int got = readFully(frameHeader, 0, frameHeader.length);
        if (got == 0) {
            return false;
        }
        frames++;
        if (got < frameHeader.length) {
            throw new InvalidSnapshotException("truncated: the file ends inside the header of frame " + frames
                    + " at byte " + frameOffset);
        }
        int length = getInt(frameHeader, 0);
        if (length <= 0 || length > SnapshotFormat.MAX_FRAME_BYTES) {
            throw new InvalidSnapshotException("corrupt: frame " + frames + " at byte " + frameOffset
                    + " gives an impossible length of " + Integer.toUnsignedString(length) + " bytes");
        }
        if (payload.length < length) {
            payload = new byte[length];
        }
        got = readFully(payload, 0, length);
        if (got < length) {
            throw new InvalidSnapshotException("truncated: the file ends inside frame " + frames + " (at byte " + frameOffset
                    + "), after " + got + " of its " + length + " bytes");
        }
        crc.reset();
        crc.update(frameHeader, 0, 4);
        crc.update(payload, 0, length);
        if ((int) crc.getValue() != getInt(frameHeader, 4)) {
            throw new InvalidSnapshotException("corrupt: frame " + frames + " at byte " + frameOffset
                    + " does not match its checksum");
        }
        payloadLength = length;
        return true;
    }

    /** The current frame's payload: bytes {@code [0, payloadLength())}; overwritten by the next {@link #next()}. */
    byte[] payload() {
        return payload;
    }

    int payloadLength() {
        return payloadLength;
    }

    /** The current frame's number, from 1, and where it starts: for messages. */
    String where() {
        return "frame " + frames + " (at byte " + frameOffset + ")";
    }

    /** Bytes read so far. */
    long offset() {
        return offset;
    }

    private int readFully(byte[] buf, int from, int length) throws IOException {
        int got = in.readNBytes(buf, from, length);
        offset += got;
        return got;
    }

    private static int getInt(byte[] buf, int pos) {
        return (buf[pos] & 0xff) << 24 | (buf[pos + 1] & 0xff) << 16 | (buf[pos + 2] & 0xff) << 8 | (buf[pos + 3] & 0xff);
    }
}
