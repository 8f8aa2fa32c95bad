package io.aggregationgateway.server.protowire;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Writes protobuf into a byte array, byte for byte as protobuf-java writes the same fields in the
 * same order. Two modes:
 *
 * <ul>
 *   <li><em>buffering</em> ({@link #ProtoWriter(int)}): the array grows and keeps everything
 *       written; a nested message may be written before its length is known
 *       ({@link #beginLengthDelimited}, {@link #endLengthDelimited});</li>
 *   <li><em>streaming</em> ({@link #ProtoWriter(OutputStream, int)}): the array is a buffer that
 *       {@link #reserve} drains into the stream; every length must be known before it is written.</li>
 * </ul>
 *
 * Only {@code reserve}, {@code write(ProtoWriter)} and {@code flush} do I/O or make room: the
 * encoding methods assume the caller reserved enough for what it writes next, which keeps them
 * small enough to inline in the render loops. Not thread-safe.
 */
public final class ProtoWriter {
    /** Most bytes a tag takes: field numbers go up to 2^29 - 1. */
    public static final int MAX_TAG_BYTES = 5;
    /** Most bytes a field of one double takes with a one-byte tag (field numbers up to 15). */
    public static final int DOUBLE_FIELD_BYTES = 1 + 8;
    /** Most bytes a field of one varint takes with a one-byte tag. */
    public static final int VARINT_FIELD_BYTES = 1 + WireFormat.MAX_VARINT_BYTES;

    private final OutputStream out;
    private byte[] buf;
    private int pos;

    /** A buffering writer. */
    public ProtoWriter(int initialCapacity) {
        this.out = null;
        this.buf = new byte[initialCapacity];
    }

    /** A streaming writer into {@code out} through a buffer of {@code bufferSize} bytes. */
    public ProtoWriter(OutputStream out, int bufferSize) {
        this.out = out;
        this.buf = new byte[bufferSize];
    }

    /** Bytes written since the last {@link #reset} (buffering) or drain (streaming). */
    public int size() {
        return pos;
    }

    /** The array written into (buffering): bytes {@code [0, size())} are what was written, e.g. to checksum them. */
    public byte[] buffer() {
        return buf;
    }

    /** Forgets what was written (buffering). */
    public void reset() {
        pos = 0;
    }

    /** Makes room for {@code n} more bytes: drains a streaming writer, grows the array when that is not enough. */
    public void reserve(int n) throws IOException {
        if (buf.length - pos >= n) {
            return;
        }
        if (out != null) {
            drain();
        }
        if (buf.length - pos < n) {
            grow(n);
        }
    }

    /** Appends everything a buffering writer holds. */
    public void write(ProtoWriter other) throws IOException {
        if (buf.length - pos >= other.pos) {
            System.arraycopy(other.buf, 0, buf, pos, other.pos);
            pos += other.pos;
        } else if (out != null) {
            drain();
            out.write(other.buf, 0, other.pos);
        } else {
            grow(other.pos);
            System.arraycopy(other.buf, 0, buf, pos, other.pos);
            pos += other.pos;
        }
    }

    /** Drains a streaming writer and flushes its stream. */
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    public ProtoWriter tag(int fieldNumber, int wireType) {
        int tag = WireFormat.tag(fieldNumber, wireType);
        if ((tag & ~0x7f) == 0) { // field numbers 1 to 15: one byte
            buf[pos++] = (byte) tag;
            return this;
        }
        return varint(Integer.toUnsignedLong(tag));
    }

    /** One byte as it is: a one-byte tag or length the caller has worked out. */
    public ProtoWriter rawByte(int b) {
        buf[pos++] = (byte) b;
        return this;
    }

    public ProtoWriter varint(long value) {
        pos = WireFormat.writeVarint(buf, pos, value);
        return this;
    }

    /** A {@code double}: its IEEE 754 bits, little-endian. */
    public ProtoWriter fixed64(double value) {
        long bits = Double.doubleToRawLongBits(value);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < 8; i++) {
            b[p + i] = (byte) bits;
            bits >>>= 8;
        }
        pos = p + 8;
        return this;
    }

    public ProtoWriter bytes(byte[] src, int offset, int length) {
        System.arraycopy(src, offset, buf, pos, length);
        pos += length;
        return this;
    }

    /** A varint field: tag and value. */
    public ProtoWriter varintField(int fieldNumber, long value) {
        return tag(fieldNumber, WireFormat.VARINT).varint(value);
    }

    /** A {@code double} field: tag and value. */
    public ProtoWriter doubleField(int fieldNumber, double value) {
        return tag(fieldNumber, WireFormat.FIXED64).fixed64(value);
    }

    /** A length-delimited field of {@code src[offset, offset + length)}: a string, bytes, or an encoded message. */
    public ProtoWriter bytesField(int fieldNumber, byte[] src, int offset, int length) {
        return tag(fieldNumber, WireFormat.LENGTH_DELIMITED).varint(length).bytes(src, offset, length);
    }

    /**
     * Starts a nested message whose length is not known yet (buffering only): writes the tag and
     * returns a mark for {@link #endLengthDelimited}. Reserve {@link #MAX_TAG_BYTES} + 1 first.
     */
    public int beginLengthDelimited(int fieldNumber) {
        if (out != null) {
            throw new IllegalStateException("a streaming writer needs every length before it writes");
        }
        tag(fieldNumber, WireFormat.LENGTH_DELIMITED);
        return pos++; // one byte kept for the length: enough for messages under 128 bytes
    }

    /**
     * Ends the nested message begun at {@code mark}: writes its length there, moving its bytes up
     * when the length takes more than the one byte kept. Messages nest: end the inner one first.
     */
    public void endLengthDelimited(int mark) {
        int length = pos - mark - 1;
        int extra = WireFormat.varintSize(length) - 1;
        if (extra > 0) {
            if (buf.length - pos < extra) {
                grow(extra);
            }
            System.arraycopy(buf, mark + 1, buf, mark + 1 + extra, length);
            pos += extra;
        }
        WireFormat.writeVarint(buf, mark, length);
    }

    /** Bytes of a tag for {@code fieldNumber}. */
    public static int tagSize(int fieldNumber) {
        return WireFormat.varintSize(Integer.toUnsignedLong(WireFormat.tag(fieldNumber, 0)));
    }

    /** Bytes of a length-delimited field of {@code length} bytes: tag, length, content. */
    public static int lengthDelimitedFieldSize(int fieldNumber, int length) {
        return tagSize(fieldNumber) + WireFormat.varintSize(length) + length;
    }

    private void grow(int n) {
        buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max((long) buf.length * 2, (long) pos + n)));
    }

    private void drain() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            pos = 0;
        }
    }
}
