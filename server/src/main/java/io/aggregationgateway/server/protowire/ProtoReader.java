package io.aggregationgateway.server.protowire;

import static io.aggregationgateway.server.protowire.WireFormat.FIXED32;
import static io.aggregationgateway.server.protowire.WireFormat.FIXED64;
import static io.aggregationgateway.server.protowire.WireFormat.LENGTH_DELIMITED;
import static io.aggregationgateway.server.protowire.WireFormat.VARINT;

/**
 * Reads protobuf from a byte array with a cursor, as protobuf-java's {@code CodedInputStream}
 * reads it (same acceptance of varints, lengths and tags), but without objects: callers switch on
 * tags and take values and byte ranges. Every read is bounded by an {@code end} the caller passes:
 * the end of the message being read, which {@link #readLengthDelimited} returns for a nested one.
 *
 * <p>What is not well-formed throws {@link WireFormatException}; the cursor is then undefined.
 * Not thread-safe; reusable with {@link #start}.
 */
public final class ProtoReader {
    private static final WireFormatException MALFORMED = new WireFormatException();

    private byte[] buf;
    private int pos;

    /** Reads {@code buf} from {@code pos} on. */
    public void start(byte[] buf, int pos) {
        this.buf = buf;
        this.pos = pos;
    }

    /** Drops the reference to the buffer. */
    public void release() {
        buf = null;
    }

    /** The buffer being read, for the byte ranges of strings and bytes fields. */
    public byte[] buffer() {
        return buf;
    }

    public int position() {
        return pos;
    }

    /** Moves the cursor, e.g. past a length-delimited field to the end {@link #readLengthDelimited} returned. */
    public void seek(int pos) {
        this.pos = pos;
    }

    /**
     * A tag (field number and wire type). Like protobuf-java, only its low 32 bits count, and
     * field number 0 is invalid.
     */
    public int readTag(int end) throws WireFormatException {
        if (pos < end) {
            int b = buf[pos];
            if (b > 7) { // one byte, the usual case: field numbers 1 to 15
                pos++;
                return b;
            }
        }
        int tag = (int) readVarint64(end);
        if (WireFormat.fieldNumber(tag) == 0) {
            throw MALFORMED;
        }
        return tag;
    }

    /** A varint of up to 10 bytes: {@code uint64}, {@code int64}, or the raw form of {@code sint64}. */
    public long readVarint64(int end) throws WireFormatException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw MALFORMED;
            }
            byte b = buf[pos++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw MALFORMED; // more than MAX_VARINT_BYTES
    }

    /**
     * A varint's low 32 bits: {@code int32}, {@code uint32}, an enum, or the raw form of
     * {@code sint32}. A 32-bit field may be sent as 10 bytes (a negative {@code int32} is).
     */
    public int readVarint32(int end) throws WireFormatException {
        return (int) readVarint64(end);
    }

    /** A {@code double}: 8 bytes, little-endian. */
    public double readDouble(int end) throws WireFormatException {
        int p = pos;
        if (end - p < 8) {
            throw MALFORMED;
        }
        byte[] b = buf;
        long bits = (b[p] & 0xffL)
                | (b[p + 1] & 0xffL) << 8
                | (b[p + 2] & 0xffL) << 16
                | (b[p + 3] & 0xffL) << 24
                | (b[p + 4] & 0xffL) << 32
                | (b[p + 5] & 0xffL) << 40
                | (b[p + 6] & 0xffL) << 48
                | (b[p + 7] & 0xffL) << 56;
        pos = p + 8;
        return Double.longBitsToDouble(bits);
    }

    /**
     * A length-delimited field's length prefix (its tag already read): returns where the field's
     * bytes end; the cursor is at their start.
     */
    public int readLengthDelimited(int end) throws WireFormatException {
        int length;
        if (pos < end && buf[pos] >= 0) { // under 128 bytes: one byte
            length = buf[pos++];
        } else {
            length = readVarint32(end);
            if (length < 0) {
                throw MALFORMED;
            }
        }
        if (length > end - pos) {
            throw MALFORMED;
        }
        return pos + length;
    }

    /**
     * Skips the value of a field this reader's caller does not know (its tag already read), as
     * protobuf skips an unknown field: without looking inside a length-delimited one.
     */
    public void skipField(int tag, int end) throws WireFormatException {
        switch (WireFormat.wireType(tag)) {
            case VARINT -> readVarint64(end);
            case FIXED64 -> skip(8, end);
            case LENGTH_DELIMITED -> pos = readLengthDelimited(end);
            case FIXED32 -> skip(4, end);
            default -> throw MALFORMED; // groups (START_GROUP, END_GROUP) and wire types 6 and 7
        }
    }

    /** Skips the rest of a message up to {@code end}, field by field, checking that each is well-formed. */
    public void skipMessage(int end) throws WireFormatException {
        while (pos < end) {
            skipField(readTag(end), end);
        }
    }

    private void skip(int bytes, int end) throws WireFormatException {
        if (end - pos < bytes) {
            throw MALFORMED;
        }
        pos += bytes;
    }
}
