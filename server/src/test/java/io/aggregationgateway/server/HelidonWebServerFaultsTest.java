package io.aggregationgateway.server;

import io.helidon.common.mapper.MapperManager;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Helidon 4.4.0's web server does on its own that {@link Gateway#start} sets otherwise. A test
 * here failing means Helidon changed that: the setting it names may go (and the test with it).
 */
class HelidonWebServerFaultsTest {
    /**
     * {@code MapperManager.global(MapperManager.create())} in {@link Gateway#start}: without a manager
     * set, every {@code MapperManager.global()} (one per header value read) builds a new one. In a
     * process of its own, since the gateway's tests in this JVM set one.
     */
    @Test
    void withoutAGlobalMapperManagerSetEveryLookUpBuildsANewOne() throws Exception {
        try (ChildProcess probe = ChildProcess.start(null, MapperManagerLookUps.class)) {
            assertTrue(probe.awaitExit(60), "the probe did not end");
            assertEquals("a new manager on every look-up\n", probe.stdout(),
                    "Helidon now keeps its global MapperManager: " + probe.stderr());
        }
    }

    /** Looks the global mapper manager up twice and says whether it got the same one. */
    static final class MapperManagerLookUps {
        public static void main(String[] args) {
            MapperManager first = MapperManager.global();
            MapperManager second = MapperManager.global();
            System.out.println(first == second ? "one manager" : "a new manager on every look-up");
        }
    }

    /** {@code tcpNoDelay(true)} in {@link Gateway#start}: Helidon leaves Nagle's algorithm on. */
    @Test
    void nagleIsOnByDefault() {
        assertFalse(WebServer.builder().buildPrototype().connectionOptions().tcpNoDelay(),
                "Helidon now turns Nagle's algorithm off by default");
    }

    /**
     * {@code useNio(false)} in {@link Gateway#start}: Helidon's default NIO socket ignores partial
     * writes, which a virtual thread's socket channel makes whenever the send buffer is full, so a
     * response read more slowly than it is written loses bytes in the middle.
     */
    @Test
    void theNioSocketLosesBytesOfAResponseReadSlowly() throws Exception {
        byte[] body = new byte[8 * 1024 * 1024];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        WebServer helidon = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(routing -> routing.get("/large", (req, res) -> res.send(body)))
                .build()
                .start();
        try {
            // a race with the send buffer: on a busy or a quiet machine one slow read may happen to
            // get everything, so the fault counts as there when any of a few reads loses bytes
            boolean lost = false;
            for (int attempt = 0; attempt < 5 && !lost; attempt++) {
                lost = !Arrays.equals(body, slowGet(helidon.port(), body.length));
            }
            assertTrue(lost, "Helidon's NIO socket now writes a slowly read response whole (5 slow reads)");
        } finally {
            helidon.stop();
        }
    }

    /**
     * {@code ChunkedBody} in the scrape handler: a chunked answer (no {@code Content-Length}) costs
     * Helidon two new arrays of every write's size ({@code BlockingOutputStream.writeChunked} and
     * {@code FixedBufferData.write}), where an answer of known length writes the caller's arrays.
     * Counted as what the handler's thread allocates while it writes 8 MB in 64 KiB pieces.
     */
    @Test
    void aChunkedAnswerCopiesEveryWriteTwice() throws Exception {
        byte[] piece = new byte[64 * 1024];
        int pieces = 128;
        long[] allocated = {-1};
        WebServer helidon = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .useNio(false) // the NIO socket loses bytes: see above
                .routing(routing -> routing.get("/large", (req, res) -> {
                    // written from a platform thread: a virtual thread's allocation is not counted
                    Thread writer = Thread.ofPlatform().start(() -> {
                        com.sun.management.ThreadMXBean threads =
                                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                        try (OutputStream out = res.outputStream()) {
                            out.write(piece); // the first write is held back whole; the count starts after it
                            long before = threads.getCurrentThreadAllocatedBytes();
                            for (int i = 1; i < pieces; i++) {
                                out.write(piece);
                            }
                            allocated[0] = threads.getCurrentThreadAllocatedBytes() - before;
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    writer.join();
                }))
                .build()
                .start();
        try {
            HttpResponse<byte[]> answer = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + helidon.port() + "/large")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("chunked", answer.headers().firstValue("transfer-encoding").orElse(null));
            assertEquals(pieces * piece.length, answer.body().length);
            long written = (long) (pieces - 1) * piece.length;
            assertTrue(allocated[0] >= 2 * written, "Helidon now writes a chunked answer with less than two copies of"
                    + " each write: " + allocated[0] + " bytes allocated for " + written + " written");
        } finally {
            helidon.stop();
        }
    }

    /**
     * The body of {@code GET /large} ({@code expected} bytes long) over a small receive buffer, read in
     * small pieces with pauses; what arrived before the server fell silent for 3 s.
     */
    private static byte[] slowGet(int port, int expected) throws IOException, InterruptedException {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(3000);
            socket.getOutputStream().write("GET /large HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            int sincePause = 0;
            int bodyStart = -1;
            try {
                while (bodyStart < 0 || response.size() - bodyStart < expected) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    response.write(buffer, 0, n);
                    if (bodyStart < 0) {
                        bodyStart = headEnd(response.toByteArray());
                    }
                    sincePause += n;
                    if (sincePause >= 64 * 1024) {
                        sincePause = 0;
                        Thread.sleep(2);
                    }
                }
            } catch (SocketTimeoutException e) {
                // the server has nothing more to send: bytes went missing
            }
            byte[] all = response.toByteArray();
            return bodyStart < 0 ? new byte[0] : Arrays.copyOfRange(all, bodyStart, all.length);
        }
    }

    /** Where the body starts after the head's CRLF CRLF, or -1 while the head is incomplete. */
    private static int headEnd(byte[] bytes) {
        for (int i = 3; i < bytes.length; i++) {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }
}
