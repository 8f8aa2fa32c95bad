package io.aggregationgateway.server.http;

import io.aggregationgateway.server.expose.ExpositionFormat;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
            gateway.aggregator.push(new Push(Labels.of("job", "large"), List.of(family())));
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            ExpositionFormat.TEXT.render(gateway.aggregator.families(), expected);

            byte[] body = slowScrape(gateway.port());

            assertTrue(expected.size() > 5_000_000, "the scrape should be far larger than a socket buffer");
            assertEquals(expected.size(), body.length);
            assertArrayEquals(expected.toByteArray(), body);
        }
    }

    private static MetricFamily family() {
        List<Series> series = new ArrayList<>(SERIES);
        for (int i = 0; i < SERIES; i++) {
            series.add(new ScalarSample(Labels.of("path", "/api/v1/items/" + i, "method", "GET"), i));
        }
        return new MetricFamily("slow_reader_requests_total", MetricType.COUNTER, "", series);
    }

    /** {@code GET /metrics} over a small receive buffer, read in small pieces with pauses; the chunked body decoded. */
    private static byte[] slowScrape(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(30_000);
            OutputStream request = socket.getOutputStream();
            request.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            request.flush();
            return new ChunkedResponse(new SlowInputStream(socket.getInputStream())).body();
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

    /** A raw HTTP/1.1 response with {@code Transfer-Encoding: chunked}, its framing checked chunk by chunk. */
    private record ChunkedResponse(InputStream in) {
        byte[] body() throws IOException {
            String status = line();
            assertTrue(status.startsWith("HTTP/1.1 200"), status);
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                chunked |= header.equalsIgnoreCase("transfer-encoding: chunked");
            }
            assertTrue(chunked, "a scrape of megabytes streams chunked");
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
