package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.http2.Http2HuffmanDecoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rewrites the HPACK header blocks (RFC 7541) one HTTP/2 connection's client sends into forms that
 * Helidon's header decoder reads as the client meant them. It works around two faults of
 * {@code io.helidon.http.http2.Http2Headers} seen on Helidon 4.4.0 (and its main branch since):
 * <ol>
 *   <li>A pseudo-header ({@code :path}, {@code :authority}, ...) sent as a literal with a new name
 *   (first byte {@code 0x40}, {@code 0x00} or {@code 0x10} and name index 0), which RFC 7541 allows
 *   and gRPC C-core (Python, Ruby, C++, PHP clients) sends on every new connection, is refused
 *   with {@code GOAWAY(PROTOCOL_ERROR)}. It is rewritten to the same literal naming the static
 *   table's entry for that name: the same header, and with indexing the same dynamic-table entry
 *   (same name, same size), so later blocks that refer to it decode the same.</li>
 *   <li>A literal with incremental indexing whose entry is larger than the dynamic table makes
 *   Helidon's {@code DynamicTable.add} loop forever (RFC 7541 section 4.4: such an entry empties
 *   the table and is not added). One request header of 5 KB spun a core for good. It is rewritten
 *   as a literal without indexing. Helidon's table then still holds the entries the client's table
 *   dropped; they are the oldest, so Helidon evicts them before any other, and a client refers only
 *   to entries its own table holds, which Helidon's table holds at the same indices.</li>
 * </ol>
 * Everything else is copied byte for byte. To know when an entry is too large, this class mirrors
 * the sizes of the decoder's dynamic table as Helidon will hold it.
 *
 * <p>One instance per connection, used by the connection's reading thread only.
 */
final class HpackRewriter {
    /** Thrown for a block that is not valid HPACK; Helidon then refuses it on its own. */
    static final class MalformedBlockException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedBlockException(String message) {
            super(message, null, false, false);
        }
    }

    /** Octets RFC 7541 section 4.1 counts for each entry on top of its name and value. */
    private static final int ENTRY_OVERHEAD = 32;

    /** Names of the static table (RFC 7541 appendix A), index 1 first; only their lengths matter here. */
    private static final String[] STATIC_NAMES = {
            ":authority", ":method", ":method", ":path", ":path", ":scheme", ":scheme", ":status", ":status",
            ":status", ":status", ":status", ":status", ":status", "accept-charset", "accept-encoding",
            "accept-language", "accept-ranges", "accept", "access-control-allow-origin", "age", "allow",
            "authorization", "cache-control", "content-disposition", "content-encoding", "content-language",
            "content-length", "content-location", "content-range", "content-type", "cookie", "date", "etag",
            "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range",
            "if-unmodified-since", "last-modified", "link", "location", "max-forwards", "proxy-authenticate",
            "proxy-authorization", "range", "referer", "refresh", "retry-after", "server", "set-cookie",
            "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via", "www-authenticate"};

    /** A dynamic-table entry as far as sizes go. */
    private record Entry(int nameLength, int size) {
    }

    private final long protocolMaxTableSize;
    private final Http2HuffmanDecoder huffman = Http2HuffmanDecoder.create();
    /** Newest first, as HPACK indexes them (index 62 is the first). */
    private final List<Entry> table = new ArrayList<>();
    private long maxTableSize;
    private long tableSize;

    // the block being rewritten
    private byte[] in;
    private int pos;
    private byte[] out;
    private int outLength;

    /** @param protocolMaxTableSize the decoder's table size the server announced (SETTINGS_HEADER_TABLE_SIZE) */
    HpackRewriter(long protocolMaxTableSize) {
        this.protocolMaxTableSize = protocolMaxTableSize;
        this.maxTableSize = protocolMaxTableSize;
    }

    /**
     * The block to hand to Helidon in place of {@code block}: {@code block} itself when nothing needed
     * rewriting, otherwise a new array (at most one byte longer per rewritten oversized entry).
     * Updates the mirrored table as Helidon will update its own reading the result.
     *
     * @throws MalformedBlockException if the block is not valid HPACK; the mirrored table is then
     *                                 unreliable, and the caller stops rewriting this connection
     */
    byte[] rewrite(byte[] block) throws MalformedBlockException {
        in = block;
        pos = 0;
        out = new byte[block.length + 16];
        outLength = 0;
        boolean changed = false;
        while (pos < in.length) {
            int start = pos;
            int first = in[pos] & 0xFF;
            if ((first & 0x80) != 0) { // indexed field: changes nothing in the table
                readInt(7);
                copy(start, pos);
            } else if ((first & 0xE0) == 0x20) { // dynamic table size update
                resize(readInt(5));
                copy(start, pos);
            } else if ((first & 0xC0) == 0x40) {
                changed |= literal(start, 6, true);
            } else { // 0000xxxx without indexing, 0001xxxx never indexed
                changed |= literal(start, 4, false);
            }
        }
        byte[] result = changed ? Arrays.copyOf(out, outLength) : block;
        in = null;
        out = null;
        return result;
    }

    /** Rewrites one literal field if needed; true if it was. */
    private boolean literal(int start, int prefixBits, boolean indexing) throws MalformedBlockException {
        int pattern = in[start] & 0xFF & ~((1 << prefixBits) - 1); // 0x40, 0x00 or 0x10
        long nameIndex = readInt(prefixBits);
        int nameStart = pos;
        int nameLength;
        int staticIndex = 0; // the static entry to name a pseudo-header by, if it came as a new name
        if (nameIndex == 0) {
            String name = readName();
            nameLength = name.length();
            staticIndex = pseudoHeaderIndex(name);
        } else {
            nameLength = nameLength(nameIndex);
        }
        int valueStart = pos;
        int valueLength = skipString(indexing);

        boolean oversized = false;
        if (indexing) {
            long size = (long) nameLength + valueLength + ENTRY_OVERHEAD;
            if (size > maxTableSize) {
                oversized = true;
            } else {
                add(new Entry(nameLength, (int) size));
            }
        }
        if (staticIndex == 0 && !oversized) {
            copy(start, pos);
            return false;
        }
        if (oversized) { // the same field, without indexing
            pattern = 0x00;
            prefixBits = 4;
        }
        if (staticIndex != 0) {
            writeInt(pattern, prefixBits, staticIndex);
            copy(valueStart, pos);
        } else {
            writeInt(pattern, prefixBits, nameIndex);
            copy(nameStart, pos);
        }
        return true;
    }

    /** The static-table index naming this pseudo-header, or 0 for any other name. */
    private static int pseudoHeaderIndex(String name) {
        return switch (name) {
            case ":authority" -> 1;
            case ":method" -> 2;
            case ":path" -> 4;
            case ":scheme" -> 6;
            case ":status" -> 8;
            default -> 0;
        };
    }

    private int nameLength(long index) throws MalformedBlockException {
        if (index <= STATIC_NAMES.length) {
            return STATIC_NAMES[(int) index - 1].length();
        }
        long dynamic = index - STATIC_NAMES.length - 1;
        if (dynamic >= table.size()) {
            throw new MalformedBlockException("index " + index + " is not in the table");
        }
        return table.get((int) dynamic).nameLength();
    }

    /** As Helidon's table: evict the oldest entries until the new one fits, then add it first. */
    private void add(Entry entry) {
        while (tableSize + entry.size() > maxTableSize && !table.isEmpty()) {
            tableSize -= table.removeLast().size();
        }
        table.addFirst(entry);
        tableSize += entry.size();
    }

    private void resize(long size) throws MalformedBlockException {
        if (size > protocolMaxTableSize) {
            throw new MalformedBlockException("table size " + size + " is above the announced " + protocolMaxTableSize);
        }
        maxTableSize = size;
        while (tableSize > maxTableSize) {
            tableSize -= table.removeLast().size();
        }
    }

    /** An HPACK integer (RFC 7541 section 5.1) with the given prefix, starting at {@code pos}. */
    private long readInt(int prefixBits) throws MalformedBlockException {
        int mask = (1 << prefixBits) - 1;
        long value = in[pos++] & mask;
        if (value < mask) {
            return value;
        }
        for (int shift = 0; ; shift += 7) {
            if (pos >= in.length) {
                throw new MalformedBlockException("integer runs past the end of the block");
            }
            if (shift > 28) {
                throw new MalformedBlockException("integer is too large");
            }
            int b = in[pos++] & 0xFF;
            value += (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }

    /** A name literal (RFC 7541 section 5.2), decoded. */
    private String readName() throws MalformedBlockException {
        boolean huffmanCoded = (in[pos] & 0x80) != 0;
        int length = stringLength();
        int start = pos;
        pos += length;
        return huffmanCoded ? huffmanDecoded(start, length) : new String(in, start, length, StandardCharsets.ISO_8859_1);
    }

    /**
     * Skips a string literal; returns its decoded length if {@code decodedLength} (a Huffman-coded
     * one is decoded for that), else -1.
     */
    private int skipString(boolean decodedLength) throws MalformedBlockException {
        boolean huffmanCoded = (in[pos] & 0x80) != 0;
        int length = stringLength();
        int start = pos;
        pos += length;
        if (!decodedLength) {
            return -1;
        }
        return huffmanCoded ? huffmanDecoded(start, length).length() : length;
    }

    /** Reads a string literal's length prefix; the string's octets follow at {@code pos}. */
    private int stringLength() throws MalformedBlockException {
        if (pos >= in.length) {
            throw new MalformedBlockException("string literal missing at the end of the block");
        }
        long length = readInt(7);
        if (length > in.length - pos) {
            throw new MalformedBlockException("string literal runs past the end of the block");
        }
        return (int) length;
    }

    private String huffmanDecoded(int start, int length) throws MalformedBlockException {
        try {
            return huffman.decodeString(BufferData.create(in, start, length), length);
        } catch (RuntimeException e) { // Helidon throws Http2Exception for a bad code
            throw new MalformedBlockException("invalid Huffman code");
        }
    }

    private void writeInt(int pattern, int prefixBits, long value) {
        int mask = (1 << prefixBits) - 1;
        ensure(8);
        if (value < mask) {
            out[outLength++] = (byte) (pattern | value);
            return;
        }
        out[outLength++] = (byte) (pattern | mask);
        value -= mask;
        while (value >= 0x80) {
            out[outLength++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[outLength++] = (byte) value;
    }

    private void copy(int from, int to) {
        ensure(to - from);
        System.arraycopy(in, from, out, outLength, to - from);
        outLength += to - from;
    }

    private void ensure(int more) {
        if (outLength + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + more));
        }
    }
}
