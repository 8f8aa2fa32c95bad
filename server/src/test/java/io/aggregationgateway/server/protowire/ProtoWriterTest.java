package io.aggregationgateway.server.protowire;

import com.google.protobuf.CodedOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link ProtoWriter} must write what protobuf-java's {@code CodedOutputStream} writes for the same
 * fields, in both modes. The random test prints its seed; rerun with {@code -Dprotowriter.seed=<seed>}.
 */
class ProtoWriterTest {
    private static final long[] VARINTS = {0, 1, 127, 128, 300, 16_383, 16_384, Integer.MAX_VALUE, 1L << 35,
            Long.MAX_VALUE, -1, Long.MIN_VALUE};

    @Test
    void varintsAndTheirSizesAsProtobufJavaWritesThem() throws IOException {
        for (long value : VARINTS) {
            ProtoWriter writer = new ProtoWriter(16);
            writer.varint(value);
            assertArrayEquals(coded(out -> out.writeUInt64NoTag(value)), bytes(writer), "varint " + value);
            assertEquals(CodedOutputStream.computeUInt64SizeNoTag(value), WireFormat.varintSize(value), "size of " + value);
        }
        Random random = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            long value = random.nextLong() >>> random.nextInt(64);
            assertEquals(CodedOutputStream.computeUInt64SizeNoTag(value), WireFormat.varintSize(value), "size of " + value);
        }
    }

    @Test
    void tagsOfLargeFieldNumbersTakeSeveralBytes() throws IOException {
        for (int field : new int[]{1, 15, 16, 2047, 2048, (1 << 29) - 1}) {
            ProtoWriter writer = new ProtoWriter(16);
            writer.tag(field, WireFormat.FIXED64);
            assertArrayEquals(coded(out -> out.writeTag(field, WireFormat.FIXED64)), bytes(writer), "field " + field);
            assertEquals(CodedOutputStream.computeTagSize(field), ProtoWriter.tagSize(field), "tag size of field " + field);
        }
    }

    @Test
    void zigzagAsProtobufJava() {
        for (long value : VARINTS) {
            assertEquals(CodedOutputStream.encodeZigZag64(value), WireFormat.encodeZigZag(value), "zigzag " + value);
            assertEquals(value, WireFormat.decodeZigZag(WireFormat.encodeZigZag(value)));
            int small = (int) value;
            assertEquals(small, WireFormat.decodeZigZag32(CodedOutputStream.encodeZigZag32(small)));
        }
    }

    /** Nested messages written before their length is known, around each length where the prefix grows. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 126, 127, 128, 129, 16_383, 16_384, 70_000})
    void nestedMessageLengthsAreWrittenAfterTheirContent(int length) throws IOException {
        byte[] content = new byte[length];
        new Random(length).nextBytes(content);
        ProtoWriter writer = new ProtoWriter(8);
        writer.reserve(ProtoWriter.MAX_TAG_BYTES + 1 + ProtoWriter.VARINT_FIELD_BYTES);
        int outer = writer.beginLengthDelimited(3);
        writer.varintField(1, 7);
        writer.reserve(ProtoWriter.MAX_TAG_BYTES + 1 + length);
        int inner = writer.beginLengthDelimited(2);
        writer.bytes(content, 0, length);
        writer.endLengthDelimited(inner);
        writer.endLengthDelimited(outer);

        byte[] innerField = coded(out -> out.writeByteArray(2, content));
        byte[] expected = coded(out -> {
            out.writeTag(3, WireFormat.LENGTH_DELIMITED);
            out.writeUInt32NoTag(2 + innerField.length);
            out.writeUInt64(1, 7);
            out.writeRawBytes(innerField);
        });
        assertArrayEquals(expected, bytes(writer));
    }

    @Test
    void randomFieldsAsProtobufJavaWritesThemBufferedAndStreamed() throws IOException {
        long base = Long.getLong("protowriter.seed", new Random().nextLong());
        for (int i = 0; i < 300; i++) {
            long seed = base + i;
            Random random = new Random(seed);
            ProtoWriter buffered = new ProtoWriter(4);
            ByteArrayOutputStream streamedBytes = new ByteArrayOutputStream();
            ProtoWriter streamed = new ProtoWriter(streamedBytes, 16);
            ByteArrayOutputStream expectedBytes = new ByteArrayOutputStream();
            CodedOutputStream expected = CodedOutputStream.newInstance(expectedBytes);
            for (int f = random.nextInt(20); f > 0; f--) {
                int field = 1 + random.nextInt(random.nextBoolean() ? 15 : 100_000);
                switch (random.nextInt(3)) {
                    case 0 -> {
                        long value = random.nextLong() >> random.nextInt(64);
                        expected.writeUInt64(field, value);
                        for (ProtoWriter w : new ProtoWriter[]{buffered, streamed}) {
                            w.reserve(ProtoWriter.MAX_TAG_BYTES + WireFormat.MAX_VARINT_BYTES);
                            w.varintField(field, value);
                        }
                    }
                    case 1 -> {
                        double value = random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
                        expected.writeDouble(field, value);
                        for (ProtoWriter w : new ProtoWriter[]{buffered, streamed}) {
                            w.reserve(ProtoWriter.MAX_TAG_BYTES + 8);
                            w.doubleField(field, value);
                        }
                    }
                    default -> {
                        byte[] value = new byte[random.nextInt(random.nextBoolean() ? 10 : 300)];
                        random.nextBytes(value);
                        expected.writeByteArray(field, value);
                        for (ProtoWriter w : new ProtoWriter[]{buffered, streamed}) {
                            w.reserve(ProtoWriter.lengthDelimitedFieldSize(field, value.length) + 4);
                            w.bytesField(field, value, 0, value.length);
                        }
                    }
                }
            }
            expected.flush();
            streamed.flush();
            assertArrayEquals(expectedBytes.toByteArray(), bytes(buffered), "seed " + seed + " (-Dprotowriter.seed=" + seed + ")");
            assertArrayEquals(expectedBytes.toByteArray(), streamedBytes.toByteArray(), "seed " + seed);
        }
    }

    @Test
    void aBufferedWriterAppendsIntoAStreamedOne() throws IOException {
        ProtoWriter body = new ProtoWriter(4);
        body.reserve(100);
        body.bytesField(1, new byte[90], 0, 90);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProtoWriter stream = new ProtoWriter(out, 32);
        stream.reserve(2);
        stream.varint(body.size());
        stream.write(body);
        stream.flush();
        assertArrayEquals(coded(o -> o.writeByteArray(1, new byte[90])), java.util.Arrays.copyOfRange(out.toByteArray(), 1, 93));
        assertEquals(93, out.size());
    }

    @Test
    void aStreamingWriterRefusesANestedMessageOfUnknownLength() {
        ProtoWriter stream = new ProtoWriter(new ByteArrayOutputStream(), 32);
        assertThrows(IllegalStateException.class, () -> stream.beginLengthDelimited(1));
    }

    private static byte[] bytes(ProtoWriter buffered) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProtoWriter stream = new ProtoWriter(out, 8);
        stream.write(buffered);
        stream.flush();
        return out.toByteArray();
    }

    private interface Coded {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] coded(Coded writes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        writes.write(out);
        out.flush();
        return bytes.toByteArray();
    }
}
