package io.aggregationgateway.server.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections to a TLS port as the front door takes them: ALPN chooses HTTP/2 or HTTP/1.x, and
 * the header-read timeout and the connection cap hold for TLS connections too, the handshake
 * included.
 */
class TlsConnectionsTest {
    private static final byte[] HEALTH = "GET /-/healthy HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    // an empty SETTINGS frame: length 0, type 4, no flags, stream 0
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

    /** A TLS connection to the gateway offering {@code protocols} by ALPN (none when empty), handshake done. */
    private static SSLSocket tls(SecureGateway gateway, String... protocols) throws Exception {
        SSLSocket socket = (SSLSocket) gateway.clientContext(null).getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), gateway.gateway.port());
        socket.setSoTimeout(10_000);
        if (protocols.length > 0) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(protocols);
            socket.setSSLParameters(parameters);
        }
        socket.startHandshake();
        return socket;
    }

    /** Reads until {@code socket}'s first CRLF: the status line of an HTTP/1.x answer. */
    private static String statusLine(Socket socket) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\r') {
            line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Whether the server closed {@code socket} within {@code millis} (an answer before the close is fine). */
    private static boolean closedByServer(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // read on until the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset, or the TLS layer saw the TCP connection end
        }
    }

    private static Socket tcp(SecureGateway gateway) throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), gateway.gateway.port());
    }

    @Test
    void alpnChoosesHttp2OrHttp1(@TempDir Path dir) throws Exception {
        try (SecureGateway gateway = SecureGateway.start(dir, "")) {
            try (SSLSocket h2 = tls(gateway, "h2", "http/1.1")) {
                assertEquals("h2", h2.getApplicationProtocol());
                OutputStream out = h2.getOutputStream();
                out.write(HTTP2_PREFACE);
                out.write(EMPTY_SETTINGS);
                out.flush();
                byte[] frame = h2.getInputStream().readNBytes(9);
                assertEquals(9, frame.length);
                assertEquals(4, frame[3], "the server's first frame is its SETTINGS");
            }
            try (SSLSocket http1 = tls(gateway, "http/1.1")) {
                assertEquals("http/1.1", http1.getApplicationProtocol());
                http1.getOutputStream().write(HEALTH);
                assertEquals("HTTP/1.1 200 OK", statusLine(http1));
            }
            try (SSLSocket none = tls(gateway)) {
                assertEquals("", none.getApplicationProtocol(), "no ALPN offered, none negotiated");
                none.getOutputStream().write(HEALTH);
                assertEquals("HTTP/1.1 200 OK", statusLine(none));
            }
            // over TLS HTTP/2 is negotiated, never assumed: without ALPN the preface is an HTTP/1.x request line
            try (SSLSocket none = tls(gateway)) {
                none.getOutputStream().write(HTTP2_PREFACE);
                none.getOutputStream().write(EMPTY_SETTINGS);
                assertEquals("HTTP/1.1 505 HTTP Version Not Supported", statusLine(none));
            }
        }
    }

    @Test
    void aHandshakeMustBeDoneWithinTheHeaderReadTimeout(@TempDir Path dir) throws Exception {
        try (SecureGateway gateway = SecureGateway.start(dir, "", "--header-read-timeout", "1s");
             Socket silent = tcp(gateway);
             Socket dripping = tcp(gateway)) {
            long start = System.nanoTime();
            // the start of a TLS record with a ClientHello, then a byte every 200 ms: the handshake would take minutes
            byte[] record = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
            boolean closed = false;
            for (int i = 0; i < 30 && !closed; i++) {
                try {
                    dripping.getOutputStream().write(record[i % record.length]);
                    Thread.sleep(200);
                } catch (IOException e) {
                    closed = true; // the gateway closed it
                }
            }
            assertTrue(closed || closedByServer(dripping, 1000), "a handshake dripping in is closed");
            assertTrue(closedByServer(silent, 4000), "a connection that never starts its handshake is closed");
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertTrue(seconds < 6, "closed after " + seconds + " s, the timeout is 1 s");
            try (SSLSocket served = tls(gateway)) {
                served.getOutputStream().write(HEALTH);
                assertEquals("HTTP/1.1 200 OK", statusLine(served), "the gateway answers others");
            }
        }
    }

    @Test
    void aRequestHeadOverTlsMustArriveWithinTheHeaderReadTimeout(@TempDir Path dir) throws Exception {
        try (SecureGateway gateway = SecureGateway.start(dir, "", "--header-read-timeout", "1s");
             SSLSocket slow = tls(gateway, "http/1.1")) {
            OutputStream out = slow.getOutputStream();
            out.write("GET /-/healthy HTTP/1.1\r\nHost: gw\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(closedByServer(slow, 5000), "the head never ends: closed after the timeout");
        }
    }

    @Test
    void failedHandshakesGiveBackTheirPlaceUnderTheCap(@TempDir Path dir) throws Exception {
        try (SecureGateway gateway = SecureGateway.start(dir, "", "--max-connections", "2")) {
            for (int i = 0; i < 6; i++) { // plain HTTP to the TLS port: each handshake fails
                try (Socket plain = tcp(gateway)) {
                    plain.getOutputStream().write(HEALTH);
                    assertTrue(closedByServer(plain, 10_000), "a failed handshake ends the connection");
                }
            }
            try (SSLSocket served = tls(gateway)) {
                served.getOutputStream().write(HEALTH);
                assertEquals("HTTP/1.1 200 OK", statusLine(served), "six failures did not take the two places");
            }
        }
    }

    @Test
    void tlsConnectionsBeyondTheCapWaitUntilOneCloses(@TempDir Path dir) throws Exception {
        try (SecureGateway gateway = SecureGateway.start(dir, "", "--max-connections", "2",
                "--header-read-timeout", "3s")) {
            List<Socket> silent = new ArrayList<>();
            try {
                silent.add(tcp(gateway));
                silent.add(tcp(gateway));
                Thread.sleep(300); // both accepted: the cap is reached, and neither has begun its handshake
                long start = System.nanoTime();
                // the kernel takes the next connection into its accept queue; the gateway only once one closes
                Socket waiting = tcp(gateway);
                silent.add(waiting);
                waiting.setSoTimeout(1000);
                assertThrows(SocketTimeoutException.class, () -> waiting.getInputStream().read(),
                        "the connection beyond the cap is not taken yet");
                try (SSLSocket served = tls(gateway)) {
                    served.getOutputStream().write(HEALTH);
                    assertEquals("HTTP/1.1 200 OK", statusLine(served));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertTrue(seconds > 1.5, "answered after " + seconds + " s: before the silent connections were closed");
            } finally {
                for (Socket socket : silent) {
                    socket.close();
                }
            }
        }
    }
}
