package io.aggregationgateway.server.protowire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProtoReader} must read what protobuf-java's {@code CodedInputStream} reads, and refuse what
 * it refuses. The random tests print their seed; rerun with {@code -Dprotoreader.seed=<seed>}.
 */
class ProtoReaderTest {
    private final ProtoReader reader = new ProtoReader();

    @Test
    void randomFieldsReadAsProtobufJavaReadsThem() throws IOException {
        long base = Long.getLong("protoreader.seed", new Random().nextLong());
        for (int i = 0; i < 300; i++) {
            long seed = base + i;
            Random random = new Random(seed);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            int fields = random.nextInt(20);
            for (int f = 0; f < fields; f++) {
                int field = 1 + random.nextInt(random.nextBoolean() ? 15 : (1 << 29) - 1);
                switch (random.nextInt(5)) {
                    case 0 -> out.writeUInt64(field, random.nextLong() >> random.nextInt(64));
                    case 1 -> out.writeInt32(field, random.nextInt() >> random.nextInt(32)); // negative: 10 bytes
                    case 2 -> out.writeDouble(field, random.nextGaussian());
                    case 3 -> out.writeFixed32(field, random.nextInt());
                    default -> out.writeByteArray(field, new byte[random.nextInt(300)]);
                }
            }
            out.flush();
            byte[] message = bytes.toByteArray();
            CodedInputStream expected = CodedInputStream.newInstance(message);
            reader.start(message, 0);
            int read = 0;
            try {
                while (reader.position() < message.length) {
                    int tag = reader.readTag(message.length);
                    assertEquals(expected.readTag(), tag, "seed " + seed);
                    switch (WireFormat.wireType(tag)) {
                        case WireFormat.VARINT -> assertEquals(expected.readRawVarint64(), reader.readVarint64(message.length));
                        case WireFormat.FIXED64 -> assertEquals(expected.readDouble(), reader.readDouble(message.length));
                        case WireFormat.LENGTH_DELIMITED -> {
                            int end = reader.readLengthDelimited(message.length);
                            assertEquals(expected.readByteArray().length, end - reader.position());
                            reader.seek(end);
                        }
                        default -> {
                            expected.skipField(tag);
                            reader.skipField(tag, message.length);
                        }
                    }
                    assertEquals(expected.getTotalBytesRead(), reader.position(), "seed " + seed);
                    read++;
                }
            } catch (WireFormatException e) {
                throw new AssertionError("seed " + seed + " (-Dprotoreader.seed=" + seed + "): refused a valid message", e);
            }
            assertEquals(fields, read);
            assertTrue(expected.isAtEnd());
            // and skipped whole, as an unknown message
            reader.start(message, 0);
            try {
                reader.skipMessage(message.length);
            } catch (WireFormatException e) {
                throw new AssertionError("seed " + seed + ": could not skip a valid message", e);
            }
        }
    }

    @Test
    void aLongVarintKeepsItsLow32BitsWhereProtobufReads32() throws Exception {
        // 5 | 1 << 40: protobuf-java reads a length, tag or int32 as the low 32 bits, 5
        byte[] bytes = {(byte) 0x85, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x20};
        reader.start(bytes, 0);
        assertEquals(CodedInputStream.newInstance(bytes).readRawVarint32(), reader.readVarint32(bytes.length));
        assertEquals(5, CodedInputStream.newInstance(bytes).readRawVarint32());
    }

    /** Bytes protobuf-java refuses to read as one field; so must the reader. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("tag of field number 0", new byte[]{0x00}),
                Arguments.of("tag of field number 0, wire type 2", new byte[]{0x02, 0x00}),
                Arguments.of("varint cut short", new byte[]{0x08, (byte) 0x80}),
                Arguments.of("varint of 11 bytes", new byte[]{0x08, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                        (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01}),
                Arguments.of("double cut short", new byte[]{0x09, 1, 2, 3}),
                Arguments.of("fixed32 cut short", new byte[]{0x0d, 1, 2}),
                Arguments.of("length past the end", new byte[]{0x0a, 0x05, 'a'}),
                Arguments.of("negative length", new byte[]{0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}),
                Arguments.of("wire type 6", new byte[]{0x0e}),
                Arguments.of("wire type 7", new byte[]{0x0f}),
                Arguments.of("end group without a start", new byte[]{0x0c}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesWhatProtobufJavaRefuses(String what, byte[] bytes) {
        assertThrows(InvalidProtocolBufferException.class, () -> {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.skipMessage();
            in.checkLastTagWas(0);
        }, what);
        reader.start(bytes, 0);
        assertThrows(WireFormatException.class, () -> reader.skipMessage(bytes.length), what);
    }

    @Test
    void readsAreBoundedByTheEndPassedNotByTheArray() {
        byte[] bytes = {0x09, 1, 2, 3, 4, 5, 6, 7, 8};
        reader.start(bytes, 0);
        assertThrows(WireFormatException.class, () -> {
            reader.readTag(5);
            reader.readDouble(5);
        });
    }

    @Test
    void groupsAreNotRead() {
        byte[] group = {(9 << 3) | 3, 0x08, 0x01, (9 << 3) | 4};
        reader.start(group, 0);
        assertThrows(WireFormatException.class, () -> reader.skipMessage(group.length));
    }
}
