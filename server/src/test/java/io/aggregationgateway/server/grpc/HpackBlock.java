package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2HuffmanDecoder;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** An HPACK header block written field by field, in exactly the representation a test names. */
final class HpackBlock {
    /** ":path" Huffman-coded (RFC 7541 appendix B); {@code HpackRewriterTest} checks it decodes so. */
    static final byte[] HUFFMAN_PATH = {(byte) 0xB9, 0x58, (byte) 0xD3, 0x3F};

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    HpackBlock indexed(int index) {
        writeInt(0x80, 7, index);
        return this;
    }

    /** Literal with incremental indexing, new name (first byte 0x40). */
    HpackBlock withIndexing(String name, String value) {
        return literal(0x40, 6, name, value);
    }

    /** Literal with incremental indexing, name from the table. */
    HpackBlock withIndexing(int nameIndex, String value) {
        writeInt(0x40, 6, nameIndex);
        writeString(value);
        return this;
    }

    /** Literal without indexing, new name (first byte 0x00). */
    HpackBlock withoutIndexing(String name, String value) {
        return literal(0x00, 4, name, value);
    }

    /** Literal never indexed, new name (first byte 0x10). */
    HpackBlock neverIndexed(String name, String value) {
        return literal(0x10, 4, name, value);
    }

    /** A literal whose name is given as its Huffman code. */
    HpackBlock literalHuffmanName(int pattern, byte[] huffmanName, String value) {
        out.write(pattern);
        writeInt(0x80, 7, huffmanName.length);
        out.writeBytes(huffmanName);
        writeString(value);
        return this;
    }

    HpackBlock sizeUpdate(int size) {
        writeInt(0x20, 5, size);
        return this;
    }

    HpackBlock raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private HpackBlock literal(int pattern, int prefixBits, String name, String value) {
        writeInt(pattern, prefixBits, 0);
        writeString(name);
        writeString(value);
        return this;
    }

    private void writeString(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        writeInt(0x00, 7, bytes.length);
        out.writeBytes(bytes);
    }

    private void writeInt(int pattern, int prefixBits, int value) {
        int mask = (1 << prefixBits) - 1;
        if (value < mask) {
            out.write(pattern | value);
            return;
        }
        out.write(pattern | mask);
        value -= mask;
        while (value >= 0x80) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    /** Helidon's own decoder reading {@code block} as one HEADERS frame, with the connection's table. */
    static Http2Headers helidonDecoded(Http2Headers.DynamicTable table, byte[] block) {
        Http2FrameHeader header = Http2FrameHeader.create(block.length, Http2FrameTypes.HEADERS,
                Http2Flag.HeaderFlags.create(Http2Flag.END_OF_HEADERS), 1);
        // no PRIORITY flag: the stream argument is not used
        return Http2Headers.create(null, table, Http2HuffmanDecoder.create(), new Http2FrameData(header, BufferData.create(block)));
    }
}
