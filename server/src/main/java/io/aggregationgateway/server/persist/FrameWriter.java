package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.protowire.ProtoWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/**
 * Writes the snapshot file's framing: the header, then the records a caller encodes into
 * {@link #records()}, cut into frames of about {@link SnapshotFormat#FRAME_TARGET_BYTES} at record
 * boundaries, each with its length and CRC-32C. Not thread-safe.
 */
final class FrameWriter {
    private final OutputStream out;
    private final ProtoWriter records = new ProtoWriter(SnapshotFormat.FRAME_TARGET_BYTES + 64 * 1024);
    private final byte[] frameHeader = new byte[SnapshotFormat.FRAME_HEADER_BYTES];
    private final CRC32C crc = new CRC32C();
    private final Pace pace;
    private long written;

    /** Writes the header of a file of {@code version} (the current one, except in tests of older readers). */
    FrameWriter(OutputStream out, int version) throws IOException {
        this(out, version, Pace.FULL_SPEED);
    }

    /** @param pace rests after each frame */
    FrameWriter(OutputStream out, int version, Pace pace) throws IOException {
        this.out = out;
        this.pace = pace;
        byte[] header = new byte[SnapshotFormat.HEADER_BYTES];
        System.arraycopy(SnapshotFormat.MAGIC, 0, header, 0, SnapshotFormat.MAGIC.length);
        putInt(header, SnapshotFormat.MAGIC.length, version);
        crc.update(header, 0, SnapshotFormat.MAGIC.length + 4);
        putInt(header, SnapshotFormat.MAGIC.length + 4, (int) crc.getValue());
        out.write(header);
        written = header.length;
    }

    /** Where the next record goes; call {@link #recordDone()} after each. */
    ProtoWriter records() {
        return records;
    }

    /** Ends a frame once it is big enough. */
    void recordDone() throws IOException {
        if (records.size() >= SnapshotFormat.FRAME_TARGET_BYTES) {
            flushFrame();
        }
    }

    /** Writes the last frame; the caller then flushes and closes the stream. */
    void finish() throws IOException {
        if (records.size() > 0) {
            flushFrame();
        }
    }

    /** Bytes written to the stream so far. */
    long written() {
        return written;
    }

    private void flushFrame() throws IOException {
        int length = records.size();
        putInt(frameHeader, 0, length);
        crc.reset();
        crc.update(frameHeader, 0, 4);
        crc.update(records.buffer(), 0, length);
        putInt(frameHeader, 4, (int) crc.getValue());
        out.write(frameHeader);
        out.write(records.buffer(), 0, length);
        written += frameHeader.length + length;
        records.reset();
        pace.rest();
    }

    static void putInt(byte[] buf, int pos, int value) {
        buf[pos] = (byte) (value >>> 24);
        buf[pos + 1] = (byte) (value >>> 16);
        buf[pos + 2] = (byte) (value >>> 8);
        buf[pos + 3] = (byte) value;
    }
}
