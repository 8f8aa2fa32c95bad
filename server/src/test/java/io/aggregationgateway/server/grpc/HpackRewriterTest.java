package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Header;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2HuffmanDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Header blocks rewritten by {@link HpackRewriter}, then read by Helidon's own decoder with one
 * dynamic table per connection, as the gateway's connections do.
 */
class HpackRewriterTest {
    private static final int TABLE = 4096;
    /** A decode that spins (Helidon's oversized-entry loop) fails the test instead of hanging it. */
    private static final Duration DECODE_LIMIT = Duration.ofSeconds(20);

    private final HpackRewriter rewriter = new HpackRewriter(TABLE);
    private final Http2Headers.DynamicTable helidon = Http2Headers.DynamicTable.create(TABLE);

    private Http2Headers decoded(byte[] block) throws HpackRewriter.MalformedBlockException {
        byte[] rewritten = rewriter.rewrite(block);
        return assertTimeoutPreemptively(DECODE_LIMIT, () -> HpackBlock.helidonDecoded(helidon, rewritten));
    }

    private static HpackBlock post() {
        return new HpackBlock().indexed(3).indexed(6); // :method POST, :scheme http
    }

    @Test
    void aPseudoHeaderWithANewNameIsNamedByItsStaticEntry() throws Exception {
        byte[] block = new HpackBlock().withIndexing(":path", "/a.B/C").bytes();
        // 0x40 0x05 ":path" 0x06 "/a.B/C" becomes 0x44 (static entry 4, :path) 0x06 "/a.B/C"
        assertEquals("4406" + HexFormat.of().formatHex("/a.B/C".getBytes()), HexFormat.of().formatHex(rewriter.rewrite(block)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x40, 0x00, 0x10})
    void pseudoHeadersWithNewNamesReachHelidonInEveryLiteralForm(int pattern) throws Exception {
        HpackBlock block = post();
        switch (pattern) {
            case 0x40 -> block.withIndexing(":path", "/svc/Push").withIndexing(":authority", "127.0.0.1:9091");
            case 0x00 -> block.withoutIndexing(":path", "/svc/Push").withoutIndexing(":authority", "127.0.0.1:9091");
            default -> block.neverIndexed(":path", "/svc/Push").neverIndexed(":authority", "127.0.0.1:9091");
        }
        block.withIndexing("content-type", "application/grpc");
        Http2Headers headers = decoded(block.bytes());
        assertEquals("/svc/Push", headers.path());
        assertEquals("127.0.0.1:9091", headers.authority());
        assertEquals("http", headers.scheme());
        assertEquals("application/grpc", headers.httpHeaders().get(io.helidon.http.HeaderNames.CONTENT_TYPE).get());
    }

    @Test
    void renamedEntriesKeepTheTableInStepForLaterBlocks() throws Exception {
        // what gRPC C-core sends on a new connection, then on the next call of the same connection
        decoded(post().withIndexing(":path", "/svc/Push").withIndexing(":authority", "h:1")
                .withIndexing("te", "trailers").bytes());
        // the client's table, newest first: te (62), :authority (63), :path (64)
        Http2Headers second = decoded(post().indexed(64).indexed(63).indexed(62).bytes());
        assertEquals("/svc/Push", second.path());
        assertEquals("h:1", second.authority());
        assertEquals("trailers", second.httpHeaders().get(io.helidon.http.HeaderNames.TE).get());
    }

    @Test
    void aHuffmanCodedPseudoHeaderNameIsRenamedToo() throws Exception {
        assertEquals(":path", Http2HuffmanDecoder.create().decodeString(BufferData.create(HpackBlock.HUFFMAN_PATH),
                HpackBlock.HUFFMAN_PATH.length));
        Http2Headers headers = decoded(post().literalHuffmanName(0x40, HpackBlock.HUFFMAN_PATH, "/h").bytes());
        assertEquals("/h", headers.path());
        assertEquals("/h", decoded(post().indexed(62).bytes()).path());
    }

    @Test
    void aBlockThatNeedsNothingIsReturnedAsItCame() throws Exception {
        byte[] block = post().indexed(4).withIndexing("x-a", "1").withIndexing(58, "grpc-java").bytes();
        assertSame(block, rewriter.rewrite(block));
    }

    @Test
    void anEntryLargerThanTheTableIsSentWithoutIndexing() throws Exception {
        String big = "b".repeat(TABLE);
        byte[] block = post().indexed(4).withIndexing("x-big", big).bytes();
        byte[] rewritten = rewriter.rewrite(block);
        assertEquals(0x00, rewritten[3]); // was 0x40: literal without indexing, new name
        assertEquals(block.length, rewritten.length);
        Http2Headers headers = assertTimeoutPreemptively(DECODE_LIMIT, () -> HpackBlock.helidonDecoded(helidon, rewritten));
        assertEquals(big, headers.httpHeaders().get(io.helidon.http.HeaderNames.create("x-big")).get());
    }

    @Test
    void anOversizedEntryWithAnIndexedNameGrowsTheBlockByAtMostOneByte() throws Exception {
        String big = "u".repeat(TABLE);
        byte[] block = post().indexed(4).withIndexing(58, big).bytes(); // user-agent: index 58 needs 2 bytes with 4 bits
        byte[] rewritten = rewriter.rewrite(block);
        assertEquals(block.length + 1, rewritten.length);
        Http2Headers headers = assertTimeoutPreemptively(DECODE_LIMIT, () -> HpackBlock.helidonDecoded(helidon, rewritten));
        assertEquals(big, headers.httpHeaders().get(io.helidon.http.HeaderNames.USER_AGENT).get());
    }

    @Test
    void afterAnOversizedEntryTheClientsIndicesStillMeanTheSame() throws Exception {
        decoded(post().indexed(4).withIndexing("x-a", "1").withIndexing("x-b", "2").bytes());
        // the client's table empties here (RFC 7541 section 4.4); Helidon's keeps x-a and x-b behind what follows
        decoded(post().indexed(4).withIndexing("x-big", "z".repeat(5000)).bytes());
        decoded(post().indexed(4).withIndexing("x-c", "3").bytes());
        Http2Headers headers = decoded(post().indexed(4).indexed(62).bytes());
        assertEquals("3", headers.httpHeaders().get(io.helidon.http.HeaderNames.create("x-c")).get());
    }

    @Test
    void aTableSizeOfZeroMakesEveryIndexedEntryOversized() throws Exception {
        Http2Headers headers = decoded(new HpackBlock().sizeUpdate(0).indexed(3).indexed(6)
                .withIndexing(":path", "/p").withIndexing("x-a", "1").bytes());
        assertEquals("/p", headers.path());
        decoded(new HpackBlock().sizeUpdate(TABLE).indexed(3).indexed(6).indexed(4).withIndexing("x-b", "2").bytes());
        assertEquals("2", decoded(post().indexed(4).indexed(62).bytes())
                .httpHeaders().get(io.helidon.http.HeaderNames.create("x-b")).get());
    }

    @Test
    void blocksThatAreNotValidHpackAreReported() {
        assertThrows(HpackRewriter.MalformedBlockException.class,
                () -> new HpackRewriter(TABLE).rewrite(new HpackBlock().raw(0x40, 0x05, ':', 'p').bytes()));
        assertThrows(HpackRewriter.MalformedBlockException.class,
                () -> new HpackRewriter(TABLE).rewrite(new HpackBlock().withIndexing(62, "x").bytes()));
        assertThrows(HpackRewriter.MalformedBlockException.class,
                () -> new HpackRewriter(TABLE).rewrite(new HpackBlock().sizeUpdate(TABLE + 1).bytes()));
        assertThrows(HpackRewriter.MalformedBlockException.class,
                () -> new HpackRewriter(TABLE).rewrite(new HpackBlock().raw(0x40, 0x81, 0xFF, 0x00).bytes()));
    }

    /**
     * Seeded sequences of blocks on one connection, written by an encoder that keeps its table as RFC
     * 7541 says (literal new names, entries above the table size, size updates, evictions): Helidon
     * reads every rewritten block as the encoder meant it.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyBlockOfAConnectionDecodesAsTheClientMeantIt(long seed) throws Exception {
        Random random = new Random(seed);
        ClientEncoder client = new ClientEncoder(random);
        String[] names = {"x-a", "x-b", "content-type", "grpc-timeout", "user-agent", "x-long"};
        for (int block = 0; block < 300; block++) {
            List<String[]> fields = new ArrayList<>();
            fields.add(new String[]{":path", "/svc/M" + random.nextInt(4)});
            fields.add(new String[]{":authority", "host:" + random.nextInt(3)});
            int regular = random.nextInt(4);
            for (int i = 0; i < regular; i++) {
                String name = names[(block + i) % names.length];
                int length = random.nextInt(20) == 0 ? 3000 + random.nextInt(3000) : 1 + random.nextInt(40);
                fields.add(new String[]{name, String.valueOf((char) ('a' + random.nextInt(3))).repeat(length)});
            }
            int resize = random.nextInt(25) == 0 ? random.nextInt(TABLE + 1) : -1;
            byte[] encoded = client.encode(fields, resize);
            Http2Headers headers = decoded(encoded);
            assertEquals(fields.get(0)[1], headers.path(), "block " + block);
            assertEquals(fields.get(1)[1], headers.authority(), "block " + block);
            List<String> expected = new ArrayList<>();
            for (String[] field : fields.subList(2, fields.size())) {
                expected.add(field[0] + "=" + field[1]);
            }
            List<String> actual = new ArrayList<>();
            for (Header header : headers.httpHeaders()) {
                for (String value : header.allValues()) {
                    actual.add(header.headerName().lowerCase() + "=" + value);
                }
            }
            expected.sort(null);
            actual.sort(null);
            assertEquals(expected, actual, "block " + block);
        }
    }

    /** A client's HPACK encoder: its own table by RFC 7541, a random representation for each field. */
    private static final class ClientEncoder {
        private final Random random;
        private final List<String[]> table = new ArrayList<>(); // newest first
        private long size;
        private long max = TABLE;

        ClientEncoder(Random random) {
            this.random = random;
        }

        byte[] encode(List<String[]> fields, int resize) {
            HpackBlock block = new HpackBlock();
            if (resize >= 0) {
                block.sizeUpdate(resize);
                max = resize;
                evictTo(max);
            }
            block.indexed(3).indexed(6);
            for (String[] field : fields) {
                int exact = find(field[0], field[1]);
                if (exact > 0 && random.nextInt(4) != 0) {
                    block.indexed(exact);
                    continue;
                }
                int nameIndex = findName(field[0]);
                switch (random.nextInt(4)) {
                    case 0 -> block.withoutIndexing(field[0], field[1]);
                    case 1 -> block.neverIndexed(field[0], field[1]);
                    case 2 -> {
                        if (nameIndex > 0) {
                            block.withIndexing(nameIndex, field[1]);
                        } else {
                            block.withIndexing(field[0], field[1]);
                        }
                        add(field);
                    }
                    default -> {
                        block.withIndexing(field[0], field[1]);
                        add(field);
                    }
                }
            }
            return block.bytes();
        }

        private int find(String name, String value) {
            for (int i = 0; i < table.size(); i++) {
                if (table.get(i)[0].equals(name) && table.get(i)[1].equals(value)) {
                    return 62 + i;
                }
            }
            return 0;
        }

        private int findName(String name) {
            for (int i = 0; i < table.size(); i++) {
                if (table.get(i)[0].equals(name)) {
                    return 62 + i;
                }
            }
            return 0;
        }

        private void add(String[] field) {
            long entry = field[0].length() + field[1].length() + 32;
            if (entry > max) { // RFC 7541 section 4.4: the table empties, the entry is not added
                table.clear();
                size = 0;
                return;
            }
            evictTo(max - entry);
            table.addFirst(field);
            size += entry;
        }

        private void evictTo(long limit) {
            while (size > limit) {
                String[] removed = table.removeLast();
                size -= removed[0].length() + removed[1].length() + 32;
            }
        }
    }
}
