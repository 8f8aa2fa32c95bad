package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.aggregate.StoreImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Files the reader must refuse, each with a message saying what is wrong: foreign files, files of a
 * version it does not read, every truncation of a real snapshot and every single flipped bit of it.
 */
class InvalidSnapshotTest {
    private static final byte[] SNAPSHOT = snapshot();

    private static byte[] snapshot() {
        try {
            StoreImage image = new EngineFixture().withEveryKindOfState().aggregator.image();
            return encode(new Snapshot(image, Optional.of(Instant.EPOCH), "test"), SnapshotFormat.VERSION);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encode(Snapshot snapshot, int version) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotEncoder.write(snapshot, out, version);
        return out.toByteArray();
    }

    private static String refusal(byte[] file) {
        return assertThrows(InvalidSnapshotException.class, () -> SnapshotDecoder.read(new ByteArrayInputStream(file)),
                "accepted " + file.length + " bytes").getMessage();
    }

    static Stream<Arguments> foreignFiles() {
        return Stream.of(
                arguments("empty", new byte[0], "the file is empty"),
                arguments("text exposition", "# TYPE a counter\na 1\n".getBytes(StandardCharsets.UTF_8),
                        "not a snapshot of the aggregation gateway: it begins with bytes 23 20 54 59 50 45 20 61, a snapshot with 89 41 47 53 0d 0a 1a 0a"),
                arguments("a Pushgateway persistence file (delimited MetricFamily protobuf)",
                        new byte[] {0x1c, 0x0a, 0x05, 'a', '_', 't', 'o', 't', 0x18, 0x00},
                        "not a snapshot of the aggregation gateway: it begins with bytes 1c 0a 05 61 5f 74 6f 74"),
                arguments("zeros", new byte[4096], "not a snapshot of the aggregation gateway: it begins with bytes 00 00 00 00 00 00 00 00"),
                arguments("gzip of a snapshot", new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3},
                        "not a snapshot of the aggregation gateway: it begins with bytes 1f 8b 08 00 00 00 00 00"),
                arguments("the magic alone", Arrays.copyOf(SnapshotFormat.MAGIC, 8),
                        "truncated: the file ends inside its 16-byte header, after 8 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foreignFiles")
    void foreignFilesAreRefusedSayingWhatTheyLookLike(String name, byte[] file, String message) {
        assertTrue(refusal(file).startsWith(message), refusal(file));
    }

    @Test
    void aLaterVersionIsRefusedAsWrittenByALaterBuild() throws Exception {
        byte[] later = encode(new Snapshot(new EngineFixture().aggregator.image(), Optional.empty(), "future"),
                SnapshotFormat.VERSION + 1);
        assertEquals("format version 3, which this build does not read (it reads versions 1 to 2):"
                + " it was written by a later or an incompatible build", refusal(later));
        byte[] zero = encode(new Snapshot(new EngineFixture().aggregator.image(), Optional.empty(), ""), 0);
        assertTrue(refusal(zero).startsWith("format version 0, which this build does not read"), refusal(zero));
    }

    @Test
    void everyTruncationIsRefusedAsTruncated() {
        assertTrue(SNAPSHOT.length > 1000, SNAPSHOT.length + " bytes");
        for (int length = 1; length < SNAPSHOT.length; length++) {
            String message = refusal(Arrays.copyOf(SNAPSHOT, length));
            assertTrue(message.startsWith("truncated: "), length + " bytes: " + message);
        }
    }

    @Test
    void aCutAtAFrameBoundaryIsRefusedForItsMissingEnd() throws Exception {
        // a store big enough for several frames; cut after the first whole one
        EngineFixture big = new EngineFixture();
        StringBuilder body = new StringBuilder("# TYPE many_total counter\n");
        for (int i = 0; i < 20_000; i++) {
            body.append("many_total{n=\"").append(i).append("\",pad=\"").append("x".repeat(20)).append("\"} 1\n");
        }
        big.delta("/job/big", body.toString());
        byte[] file = encode(new Snapshot(big.aggregator.image(), Optional.empty(), ""), SnapshotFormat.VERSION);
        int first = SnapshotFormat.HEADER_BYTES + SnapshotFormat.FRAME_HEADER_BYTES + readInt(file, SnapshotFormat.HEADER_BYTES);
        assertTrue(first < file.length, "more than one frame");
        assertEquals("truncated: the file ends after " + first + " bytes without its end record",
                refusal(Arrays.copyOf(file, first)));
    }

    @Test
    void everyFlippedBitIsRefused() {
        for (int i = 0; i < SNAPSHOT.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] damaged = SNAPSHOT.clone();
                damaged[i] ^= (byte) (1 << bit);
                String message = refusal(damaged);
                assertTrue(message.startsWith("corrupt: ") || message.startsWith("not a snapshot")
                        || message.startsWith("truncated: ") || message.startsWith("format version "),
                        "byte " + i + " bit " + bit + ": " + message);
            }
        }
    }

    @Test
    void damageIsReportedWithItsFrame() {
        byte[] header = SNAPSHOT.clone();
        header[9] ^= 1; // the version
        assertEquals("corrupt: the header's checksum does not match", refusal(header));
        byte[] payload = SNAPSHOT.clone();
        payload[SnapshotFormat.HEADER_BYTES + SnapshotFormat.FRAME_HEADER_BYTES + 3] ^= 1;
        assertEquals("corrupt: frame 1 at byte 16 does not match its checksum", refusal(payload));
        byte[] length = SNAPSHOT.clone();
        length[SnapshotFormat.HEADER_BYTES] = (byte) 0x7f;
        assertEquals("corrupt: frame 1 at byte 16 gives an impossible length of " + (readInt(length, 16) & 0xffffffffL)
                + " bytes", refusal(length));
    }

    @Test
    void bytesAfterTheEndAreRefused() {
        byte[] longer = Arrays.copyOf(SNAPSHOT, SNAPSHOT.length + 3);
        assertTrue(refusal(longer).startsWith("truncated: the file ends inside the header of frame 2"), refusal(longer));
        byte[] twice = new byte[SNAPSHOT.length * 2 - SnapshotFormat.HEADER_BYTES];
        System.arraycopy(SNAPSHOT, 0, twice, 0, SNAPSHOT.length);
        System.arraycopy(SNAPSHOT, SnapshotFormat.HEADER_BYTES, twice, SNAPSHOT.length, SNAPSHOT.length - SnapshotFormat.HEADER_BYTES);
        assertTrue(refusal(twice).startsWith("corrupt: data after the end record, in frame 2"), refusal(twice));
    }

    @Test
    void recordsThatContradictTheFormatAreRefusedThoughTheirChecksumsMatch() throws Exception {
        assertEquals("corrupt: the first record is of kind 2, not the meta record, in frame 1 (at byte 16)",
                refusal(frames(record(SnapshotFormat.FAMILY, new byte[0]))));
        assertEquals("corrupt: a record of unknown kind 9, in frame 1 (at byte 16)",
                refusal(frames(record(SnapshotFormat.META, new byte[0]), record(9, new byte[0]))));
        assertEquals("corrupt: a series outside a family or table, in frame 1 (at byte 16)",
                refusal(frames(record(SnapshotFormat.META, new byte[0]), record(SnapshotFormat.SCALAR, new byte[0]))));
        assertEquals("corrupt: the end record counts 1 families but the file holds 0, in frame 1 (at byte 16)",
                refusal(frames(record(SnapshotFormat.META, new byte[0]), record(SnapshotFormat.END, new byte[] {8, 1}))));
        byte[] family = {10, 1, 'f', 16, 1}; // name "f", type counter
        byte[] badLabels = {18, 2, 5, 'a'}; // rest: a name of 5 bytes where 1 is left
        assertEquals("corrupt: a label name of 5 bytes where 1 are left, in frame 1 (at byte 16)",
                refusal(frames(record(SnapshotFormat.META, new byte[0]), record(SnapshotFormat.FAMILY, family),
                        record(SnapshotFormat.SCALAR, badLabels))));
        byte[] unsorted = {18, 8, 1, 'b', 1, '1', 1, 'a', 1, '2'};
        assertEquals("corrupt: label names out of order at byte 5, in frame 1 (at byte 16)",
                refusal(frames(record(SnapshotFormat.META, new byte[0]), record(SnapshotFormat.FAMILY, family),
                        record(SnapshotFormat.SCALAR, unsorted))));
    }

    @Test
    void fieldsThisBuildDoesNotKnowAreSkipped() throws Exception {
        byte[] meta = {8, 5, (byte) 0xf8, 0x0f, 7}; // taken at 5, then field 255 (varint) = 7
        byte[] family = {10, 1, 'f', 16, 1, (byte) 0xfa, 0x0f, 1, 'x'}; // and field 255 (bytes) = "x"
        byte[] series = {18, 4, 1, 'a', 1, 'b', 33, 0, 0, 0, 0, 0, 0, (byte) 0xf0, 0x3f, (byte) 0xf8, 0x0f, 1};
        byte[] end = {8, 1, 16, 1};
        Snapshot read = SnapshotDecoder.read(new ByteArrayInputStream(frames(record(SnapshotFormat.META, meta),
                record(SnapshotFormat.FAMILY, family), record(SnapshotFormat.SCALAR, series), record(SnapshotFormat.END, end))));
        assertEquals("taken 5 labels [] next source 0\nfamily f COUNTER mode null help \"\"\n  {a=\"b\"} @5 from 5 scalar 1.0\n",
                ImageText.of(read.store()));
    }

    /** A file of one frame holding {@code records}, with right checksums. */
    private static byte[] frames(byte[]... records) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(out, SnapshotFormat.VERSION);
        for (byte[] record : records) {
            writer.records().reserve(record.length);
            writer.records().bytes(record, 0, record.length);
        }
        writer.finish();
        return out.toByteArray();
    }

    private static byte[] record(int kind, byte[] body) {
        byte[] out = new byte[body.length + 2];
        out[0] = (byte) (kind << 3 | 2);
        out[1] = (byte) body.length;
        System.arraycopy(body, 0, out, 2, body.length);
        return out;
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }
}
