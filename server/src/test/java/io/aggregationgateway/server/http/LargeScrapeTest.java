package io.aggregationgateway.server.http;

import io.aggregationgateway.server.expose.ExpositionFormat;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scrape of megabytes reaches a slow reader whole. The gateway writes faster than such a
 * reader reads, so the socket's send buffer fills and writes come back partial; Helidon's NIO
 * socket once dropped the rest of such a write, which broke the chunked framing mid-body.
 */
class LargeScrapeTest {
    private static final int SERIES = 100_000;

    @Test
    void aSlowReaderGetsEveryByteOfALargeScrape() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            byte[] expected = pushLargeFamily(gateway, ExpositionFormat.TEXT);

            byte[] body = slowScrape(gateway.port(), "text/plain;version=0.0.4").body();

            assertTrue(expected.length > 5_000_000, "the scrape should be far larger than a socket buffer");
            assertEquals(expected.length, body.length);
            assertArrayEquals(expected, body);
        }
    }

    /** Protobuf sizes its families before writing: a scrape of counters goes out with its length, not chunked. */
    @Test
    void aProtobufScrapeOfCountersCarriesItsLengthAndReachesASlowReaderWhole() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            byte[] expected = pushLargeFamily(gateway, ExpositionFormat.PROTOBUF);

            Response response = slowScrape(gateway.port(), PROTOBUF_ACCEPT);

            assertTrue(expected.length > 5_000_000, "the scrape should be far larger than a socket buffer");
            assertEquals(String.valueOf(expected.length), response.header("content-length"));
            assertEquals(null, response.header("transfer-encoding"));
            assertArrayEquals(expected, response.body());
        }
    }

    /** A histogram's size is known only once encoded: a protobuf scrape holding one streams chunked, as text does. */
    @Test
    void aProtobufScrapeWithAHistogramIsChunked() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            gateway.aggregator.push(new Push(Labels.of("job", "large"), List.of(family(), new MetricFamily("latency_seconds",
                    MetricType.HISTOGRAM, "", List.of(new ClassicHistogram(Labels.of("path", "/"),
                    new double[]{0.1, Double.POSITIVE_INFINITY}, new double[]{1, 2}, 2.0, 0.3))))));
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            ExpositionFormat.PROTOBUF.render(gateway.aggregator.families(), expected);

            Response response = slowScrape(gateway.port(), PROTOBUF_ACCEPT);

            assertEquals(null, response.header("content-length"));
            assertEquals("chunked", response.header("transfer-encoding"));
            assertArrayEquals(expected.toByteArray(), response.body());
        }
    }

    /**
     * The gateway frames text scrapes' chunks itself (Helidon 4.4.0 copies each chunk twice): two
     * scrapes in a row on one kept-alive connection both end exactly where their last chunk says,
     * with no length announced.
     */
    @Test
    void textScrapesOnOneConnectionAreChunkedWhole() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            byte[] expected = pushLargeFamily(gateway, ExpositionFormat.TEXT);

            try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
                socket.setSoTimeout(30_000);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                for (int scrape = 0; scrape < 2; scrape++) {
                    socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    Response response = new ChunkedResponse(in).read();

                    assertEquals("chunked", response.header("transfer-encoding"));
                    assertEquals(null, response.header("content-length"));
                    assertArrayEquals(expected, response.body(), "scrape " + scrape);
                }
            }
        }
    }

    /** HTTP/1.0 has no chunks: a scrape asked for that way comes unframed, and ends with the connection. */
    @Test
    void anHttp10ScrapeIsNotChunked() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            byte[] expected = pushLargeFamily(gateway, ExpositionFormat.TEXT);

            try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write("GET /metrics HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] all = socket.getInputStream().readAllBytes();
                String raw = new String(all, StandardCharsets.ISO_8859_1);
                int bodyStart = raw.indexOf("\r\n\r\n") + 4;
                String head = raw.substring(0, bodyStart).toLowerCase(Locale.ROOT);

                assertTrue(head.startsWith("http/1.1 200"), head);
                assertFalse(head.contains("transfer-encoding"), head);
                assertArrayEquals(expected, Arrays.copyOfRange(all, bodyStart, all.length));
            }
        }
    }

    /** A gzipped scrape goes out in the gateway's chunks too, and unzips to the text. */
    @Test
    void aGzippedTextScrapeIsChunkedWhole() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            byte[] expected = pushLargeFamily(gateway, ExpositionFormat.TEXT);

            try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                Response response = new ChunkedResponse(new BufferedInputStream(socket.getInputStream())).read();

                assertEquals("gzip", response.header("content-encoding"));
                assertArrayEquals(expected,
                        new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes());
            }
        }
    }

    /** Pushes {@link #family()} and returns what a scrape of it in {@code format} must carry. */
    private static byte[] pushLargeFamily(RunningGateway gateway, ExpositionFormat format) throws Exception {
        gateway.aggregator.push(new Push(Labels.of("job", "large"), List.of(family())));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        format.render(gateway.aggregator.families(), expected);
        return expected.toByteArray();
    }

    private static MetricFamily family() {
        List<Series> series = new ArrayList<>(SERIES);
        for (int i = 0; i < SERIES; i++) {
            series.add(new ScalarSample(Labels.of("path", "/api/v1/items/" + i, "method", "GET"), i));
        }
        return new MetricFamily("slow_reader_requests_total", MetricType.COUNTER, "", series);
    }

    private static final String PROTOBUF_ACCEPT =
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";

    /** {@code GET /metrics} over a small receive buffer, read in small pieces with pauses; the body as framed, decoded. */
    private static Response slowScrape(int port, String accept) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(30_000);
            OutputStream request = socket.getOutputStream();
            request.write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + accept + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            request.flush();
            return new ChunkedResponse(new SlowInputStream(socket.getInputStream())).read();
        }
    }

    /** A response's headers (names in lower case) and its body. */
    private record Response(Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** Reads at most 16 KiB at a time and pauses every 64 KiB (some 20 MB/s), as a busy or distant scraper would. */
    private static final class SlowInputStream extends FilterInputStream {
        private int reads;

        SlowInputStream(InputStream in) {
            super(new BufferedInputStream(in, 16 * 1024));
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (++reads % 4 == 0) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            return super.read(b, off, Math.min(len, 16 * 1024));
        }
    }

    /**
     * A raw HTTP/1.1 response: with {@code Content-Length}, exactly that many bytes; else with
     * {@code Transfer-Encoding: chunked}, its framing checked chunk by chunk.
     */
    private record ChunkedResponse(InputStream in) {
        Response read() throws IOException {
            String status = line();
            assertTrue(status.startsWith("HTTP/1.1 200"), status);
            Map<String, String> headers = new HashMap<>();
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
            }
            String length = headers.get("content-length");
            if (length != null) {
                byte[] body = in.readNBytes(Integer.parseInt(length));
                assertEquals(Integer.parseInt(length), body.length, "the body ended before its Content-Length");
                return new Response(headers, body);
            }
            assertEquals("chunked", headers.get("transfer-encoding"), "a scrape of megabytes streams chunked");
            return new Response(headers, body());
        }

        private byte[] body() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = line();
                int size;
                try {
                    size = Integer.parseInt(sizeLine, 16);
                } catch (NumberFormatException e) {
                    throw new AssertionError("chunk framing broken after " + body.size() + " body bytes: no chunk size but "
                            + sizeLine.substring(0, Math.min(40, sizeLine.length())));
                }
                if (size == 0) {
                    assertEquals("", line());
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                assertEquals("", line(), "chunk framing broken after " + body.size() + " body bytes");
            }
        }

        /** One CRLF-terminated line, without the CRLF (at most 200 bytes read, so garbage fails fast). */
        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0 || line.length() > 200) {
                    return line.toString();
                }
                line.append((char) c);
            }
            assertEquals('\n', in.read());
            return line.toString();
        }
    }
}
