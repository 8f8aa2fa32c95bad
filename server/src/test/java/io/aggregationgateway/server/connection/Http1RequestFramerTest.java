package io.aggregationgateway.server.connection;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** What the framer accepts and how it hands it on; what it refuses, with which status and message. */
class Http1RequestFramerTest {
    private static final Http1RequestFramer.Limits LIMITS = new Http1RequestFramer.Limits(64, 128, 4);

    private static Http1RequestFramer framer() {
        return new Http1RequestFramer(LIMITS, "127.0.0.1:8080");
    }

    /**
     * Feeds {@code raw} in pieces of the given sizes (cycling) and collects everything handed on, each
     * chunked body as one chunk: chunks are re-sized to what arrived, so only their content is fixed.
     */
    private static String frame(String raw, int... pieces) throws FramingException {
        Http1RequestFramer framer = framer();
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        int piece = 0;
        while (true) {
            byte[] next;
            while ((next = framer.next()) != null) {
                out.writeBytes(next);
            }
            if (at == bytes.length || framer.done()) {
                return joinChunks(out.toString(StandardCharsets.ISO_8859_1));
            }
            int n = Math.min(bytes.length - at, pieces.length == 0 ? bytes.length : pieces[piece++ % pieces.length]);
            byte[] chunk = new byte[n];
            System.arraycopy(bytes, at, chunk, 0, n);
            at += n;
            framer.feed(chunk);
        }
    }

    /** The framer's output with each chunked body as a single chunk (relies on the output being canonical). */
    private static String joinChunks(String framed) {
        StringBuilder joined = new StringBuilder();
        int at = 0;
        while (at < framed.length()) {
            int headEnd = framed.indexOf("\r\n\r\n", at);
            if (headEnd < 0) {
                return joined.append(framed, at, framed.length()).toString();
            }
            String head = framed.substring(at, headEnd + 4);
            joined.append(head);
            at = headEnd + 4;
            if (head.contains("\r\nContent-Length: ")) {
                int length = Integer.parseInt(head.replaceAll("(?s).*\r\nContent-Length: (\\d+)\r\n.*", "$1"));
                joined.append(framed, at, Math.min(framed.length(), at + length));
                at += length;
            } else if (head.contains("\r\nTransfer-Encoding: chunked\r\n")) {
                StringBuilder data = new StringBuilder();
                while (at < framed.length()) {
                    int lineEnd = framed.indexOf("\r\n", at);
                    int size = Integer.parseInt(framed.substring(at, lineEnd), 16);
                    at = lineEnd + 2;
                    if (size == 0) {
                        at += 2;
                        break;
                    }
                    data.append(framed, at, at + size);
                    at += size + 2;
                }
                if (!data.isEmpty()) {
                    joined.append(Integer.toHexString(data.length())).append("\r\n").append(data).append("\r\n");
                }
                joined.append("0\r\n\r\n");
            }
        }
        return joined.toString();
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                arguments("a plain GET", "GET /m HTTP/1.1\r\nHost: a\r\n\r\n", "GET /m HTTP/1.1\r\nHost: a\r\n\r\n"),
                arguments("a body by Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"),
                arguments("equal Content-Lengths count once", "POST / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 003\r\n\r\nabc",
                        "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
                arguments("a list of equal lengths", "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc",
                        "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
                arguments("chunked, any case, with extensions and trailers",
                        "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n3;a=1 ; b=\"x;y\"\r\nabc\r\n2;c\r\nde\r\n0;z=1\r\nX-T: 1\r\n\r\n",
                        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n"),
                arguments("long lengths with leading zeros", "POST / HTTP/1.1\r\nContent-Length: 00000000000000000000003\r\n\r\nabc",
                        "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
                arguments("chunk sizes with leading zeros", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0003\r\nabc\r\n000\r\n\r\n",
                        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
                arguments("empty lines before the request line", "\r\n\r\nGET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\n\r\n"),
                arguments("HTTP/1.0 gets Connection: close and a Host",
                        "GET /-/healthy HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\nAccept: */*\r\n\r\n",
                        "GET /-/healthy HTTP/1.1\r\nAccept: */*\r\nConnection: close\r\nHost: 127.0.0.1:8080\r\n\r\n"),
                arguments("HTTP/1.0 keeps its own Host", "OPTIONS / HTTP/1.0\r\nHost: gw\r\n\r\n",
                        "OPTIONS / HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"),
                arguments("HTTP/1.2 is read as HTTP/1.1", "GET / HTTP/1.2\r\n\r\n", "GET / HTTP/1.1\r\n\r\n"),
                arguments("pipelined requests", "GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 1\r\n\r\nxGET /c HTTP/1.1\r\n\r\n",
                        "GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 1\r\n\r\nxGET /c HTTP/1.1\r\n\r\n"),
                arguments("nothing is read after Connection: close", "GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGARBAGE\r\n\r\n",
                        "GET /a HTTP/1.1\r\nConnection: close\r\n\r\n"),
                arguments("an h2c upgrade does not change the framing", "GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
                        "GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
                arguments("other upgrades do not change the framing", "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
                        "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
                arguments("header values may hold obs-text and tabs", "GET / HTTP/1.1\r\nX:\t\u00e9 v \r\n\r\n",
                        "GET / HTTP/1.1\r\nX:\t\u00e9 v \r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void acceptedRequestsGoOnCanonically(String name, String raw, String expected) throws Exception {
        assertEquals(expected, frame(raw));
        assertEquals(expected, frame(raw, 1), "byte by byte");
        assertEquals(expected, frame(raw, 5, 2, 11), "in odd pieces");
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                arguments(400, "conflicting Content-Length headers: 3 and 4",
                        "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
                arguments(400, "conflicting Content-Length values \"3, 4\"", "POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n"),
                arguments(400, "both Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
                arguments(400, "does not end in chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n"),
                arguments(400, "does not end in chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n"),
                arguments(400, "does not end in chunked", "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n"),
                arguments(400, "applies chunked twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
                arguments(501, "transfer coding gzip is not supported", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
                arguments(400, "Transfer-Encoding in an HTTP/1.0 request", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
                arguments(400, "invalid Content-Length \"-1\"", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
                arguments(400, "invalid Content-Length \"+3\"", "POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\n"),
                arguments(400, "invalid Content-Length \"0x3\"", "POST / HTTP/1.1\r\nContent-Length: 0x3\r\n\r\n"),
                arguments(413, "Content-Length 9999999999999999999 is too large", "POST / HTTP/1.1\r\nContent-Length: 9999999999999999999\r\n\r\n"),
                arguments(400, "invalid header field name \"Content-Length \"", "POST / HTTP/1.1\r\nContent-Length : 3\r\n\r\nabc"),
                arguments(400, "obsolete line folding", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"),
                arguments(400, "without a name and colon", "GET / HTTP/1.1\r\nnocolon\r\n\r\n"),
                arguments(400, "LF without CR", "GET / HTTP/1.1\nHost: a\r\n\r\n"),
                arguments(400, "CR without LF", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"),
                arguments(400, "control character 0x00", "GET / HTTP/1.1\r\nX: a\u0000\r\n\r\n"),
                arguments(400, "malformed request line \"GET  / HTTP/1.1\"", "GET  / HTTP/1.1\r\n\r\n"),
                arguments(400, "malformed request line", "GET /\r\n\r\n"),
                arguments(400, "invalid character 0xE9 in the request target", "GET /\u00e9 HTTP/1.1\r\n\r\n"),
                arguments(400, "malformed HTTP version \"HTTP/1\"", "GET / HTTP/1\r\n\r\n"),
                arguments(505, "HTTP version 2.0 is not supported", "GET / HTTP/2.0\r\n\r\n"),
                arguments(414, "request line longer than 64 bytes", "GET /" + "a".repeat(100) + " HTTP/1.1\r\n\r\n"),
                arguments(431, "header section larger than 128 bytes", "GET / HTTP/1.1\r\nX: " + "a".repeat(200) + "\r\n\r\n"),
                arguments(431, "more than 4 header fields", "GET / HTTP/1.1\r\na: 1\r\nb: 1\r\nc: 1\r\nd: 1\r\ne: 1\r\n\r\n"),
                arguments(400, "invalid chunk size line \"zz\"", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
                arguments(400, "invalid chunk size line \"-3\"", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n"),
                arguments(400, "invalid chunk size line \"\"", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"),
                arguments(400, "invalid chunk size line \"3 \"", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n"),
                arguments(400, "invalid chunk extension in \"3;\"", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;\r\nabc\r\n"),
                arguments(400, "invalid chunk extension value", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"x\r\nabc\r\n"),
                arguments(413, "chunk size \"1000000000000000\" is too large",
                        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n"),
                arguments(413, "chunk size \"8000000000000000\" is too large",
                        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8000000000000000\r\n"),
                arguments(413, "Content-Length 99999999999999999999 is too large", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"),
                arguments(400, "chunk data longer than its chunk size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n"),
                arguments(400, "invalid trailer field name", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad name: 1\r\n\r\n"),
                arguments(400, "chunk size line longer than 4096 bytes",
                        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;" + "a".repeat(5000) + "\r\n"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refused")
    void ambiguousOrMalformedFramingIsRefusedWithItsReason(int status, String message, String raw) {
        for (int[] pieces : new int[][] {{}, {1}, {3, 7}}) {
            FramingException e = assertThrows(FramingException.class, () -> frame(raw, pieces));
            assertEquals(status, e.status(), e.getMessage());
            assertTrue(e.getMessage().contains(message), e.getMessage());
        }
    }

    @Test
    void nothingOfTheNextRequestIsReadBeforeThisOneIsHandedOnWhole() throws Exception {
        Http1RequestFramer framer = framer();
        framer.feed("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET / HTTP/9.9\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab", new String(framer.next(), StandardCharsets.US_ASCII));
        assertTrue(framer.readingHead() && framer.hasUnreadInput(), "the next head waits, unread");
        assertEquals(505, assertThrows(FramingException.class, framer::next).status(), "and is refused only when asked for");
    }

    @Test
    void aBodyArrayIsHandedOnAsItCameWithoutACopy() throws Exception {
        Http1RequestFramer framer = framer();
        framer.feed("POST / HTTP/1.1\r\nContent-Length: 6\r\n\r\nab".getBytes(StandardCharsets.US_ASCII));
        framer.next();
        byte[] rest = "cdef".getBytes(StandardCharsets.US_ASCII);
        framer.feed(rest);
        assertTrue(rest == framer.next());
        assertTrue(framer.readingHead() && !framer.hasUnreadInput());
    }

    @Test
    void http10IsTheLastRequestOfItsConnection() throws Exception {
        Http1RequestFramer framer = framer();
        framer.feed("GET / HTTP/1.0\r\n\r\nGET /b HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        framer.next();
        assertTrue(framer.http10());
        assertTrue(framer.done());
        assertEquals(null, framer.next());
    }

    /** Random valid requests, split at random points, come out exactly as the same requests fed whole. */
    @Test
    void splittingTheInputNeverChangesTheOutput() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            StringBuilder raw = new StringBuilder();
            int requests = 1 + random.nextInt(3);
            for (int r = 0; r < requests; r++) {
                String body = "x".repeat(random.nextInt(40));
                if (random.nextBoolean()) {
                    raw.append("POST /metrics HTTP/1.1\r\nHost: h\r\nContent-Length: ").append(body.length()).append("\r\n\r\n").append(body);
                } else {
                    raw.append("PUT /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
                    for (int at = 0; at < body.length(); ) {
                        int n = Math.min(body.length() - at, 1 + random.nextInt(9));
                        raw.append(Integer.toHexString(n)).append(random.nextBoolean() ? ";e=v" : "").append("\r\n")
                                .append(body, at, at + n).append("\r\n");
                        at += n;
                    }
                    raw.append("0\r\n").append(random.nextBoolean() ? "T: 1\r\n" : "").append("\r\n");
                }
            }
            String whole = frame(raw.toString());
            int[] pieces = random.ints(5, 1, 30).toArray();
            assertEquals(whole, frame(raw.toString(), pieces), raw.toString());
            assertFalse(whole.contains(";e=v"), "extensions are dropped");
        }
    }
}
