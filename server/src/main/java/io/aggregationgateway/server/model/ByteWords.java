package io.aggregationgateway.server.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Bytes read, written and matched eight at a time, little-endian: byte {@code i} of a word read at
 * {@code at} is {@code buf[at + i]}, the word's {@code i}-th lowest byte. The one place for this
 * for the parser's scans, the label sets' hash and copies, and the text formats' escape check.
 */
public final class ByteWords {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private ByteWords() {
    }

    /** The eight bytes buf[at, at + 8) as a word. */
    public static long read(byte[] buf, int at) {
        return (long) LONGS.get(buf, at);
    }

    /** Writes {@code word} to buf[at, at + 8). */
    public static void write(byte[] buf, int at, long word) {
        LONGS.set(buf, at, word);
    }

    /**
     * Non-zero exactly when a byte of {@code word} is the ASCII character {@code b}. The high bit of
     * the lowest such byte is set and none below it ({@link Long#numberOfTrailingZeros} {@code >>> 3}
     * is its index); bits above it may be set for bytes that are not {@code b}. So the lowest bit of
     * several of these ORed together is the first byte that is any of them.
     */
    public static long bytesEqualTo(long word, char b) {
        return zeroBytes(word ^ (ONES * (b & 0xff)));
    }

    /** The high bit of each byte of {@code word} that has it set (a non-ASCII byte of UTF-8). */
    public static long highBits(long word) {
        return word & HIGH_BITS;
    }

    private static long zeroBytes(long word) {
        return (word - ONES) & ~word & HIGH_BITS;
    }
}
