package io.aggregationgateway.server.protowire;

/**
 * The protobuf encoding's vocabulary, shared by {@link ProtoReader} and {@link ProtoWriter}: wire
 * types, tags, varint sizes and zigzag. Also the varint codec for byte arrays the server encodes
 * for itself (a label set's bytes), which are trusted and read without bounds checks.
 *
 * <p>A tag is {@code fieldNumber << 3 | wireType}; readers switch on it with the generated
 * {@code *_FIELD_NUMBER} constants, e.g. {@code case Histogram.SCHEMA_FIELD_NUMBER << 3 | VARINT}.
 */
public final class WireFormat {
    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int START_GROUP = 3;
    public static final int END_GROUP = 4;
    public static final int FIXED32 = 5;
    /** A varint carries 7 bits per byte, so 64 bits take at most 10 bytes. */
    public static final int MAX_VARINT_BYTES = 10;

    private WireFormat() {
    }

    public static int tag(int fieldNumber, int wireType) {
        return fieldNumber << 3 | wireType;
    }

    public static int fieldNumber(int tag) {
        return tag >>> 3;
    }

    public static int wireType(int tag) {
        return tag & 7;
    }

    /** Bytes of {@code value} as a varint: 1 to 10 (negative numbers take 10). */
    public static int varintSize(long value) {
        // 9 bits of leading zeros spare about one byte of 7 bits; exact for every value
        return (640 - 9 * Long.numberOfLeadingZeros(value)) >>> 6;
    }

    /** {@code sint32}/{@code sint64} encoding: small magnitudes of either sign stay small. */
    public static long encodeZigZag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    public static long decodeZigZag(long encoded) {
        return (encoded >>> 1) ^ -(encoded & 1);
    }

    /** {@code sint32} decoding of a varint's low 32 bits, as protobuf reads a {@code sint32}. */
    public static int decodeZigZag32(int encoded) {
        return (encoded >>> 1) ^ -(encoded & 1);
    }

    /** Writes {@code value} as a varint at {@code buf[pos]} (room assumed) and returns the position after it. */
    public static int writeVarint(byte[] buf, int pos, long value) {
        while ((value & ~0x7fL) != 0) {
            buf[pos++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buf[pos++] = (byte) value;
        return pos;
    }

    /**
     * The varint of at most 32 bits at {@code buf[pos]}, in a buffer this process wrote: no bounds
     * or length checks. Bytes from a peer go through {@link ProtoReader}.
     */
    public static int readVarint(byte[] buf, int pos) {
        int value = 0;
        int shift = 0;
        byte b;
        do {
            b = buf[pos++];
            value |= (b & 0x7f) << shift;
            shift += 7;
        } while (b < 0);
        return value;
    }
}
