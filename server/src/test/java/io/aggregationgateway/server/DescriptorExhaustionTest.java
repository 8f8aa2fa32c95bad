package io.aggregationgateway.server;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway allowed 256 file descriptors, flooded with 400 connections, answers again once they
 * close: its connection cap keeps Helidon's accept loop from ever running out of descriptors, which
 * would close the port for good.
 */
class DescriptorExhaustionTest {
    private static final String LOW_LIMIT = "ulimit -n 256";
    private static final int FLOOD = 400;

    @Test
    void aGatewayFloodedBeyondItsDescriptorsAnswersAgainOnceTheConnectionsClose() throws Exception {
        // the flood's connections each send a byte and wait; they must outlive the flood
        try (ChildProcess gateway = ChildProcess.start(LOW_LIMIT, Main.class,
                "--host", "127.0.0.1", "--port", "0", "--header-read-timeout", "2m")) {
            int port = gateway.awaitPort();
            assertEquals("HTTP/1.1 200 OK", healthStatus(port));

            List<Socket> flood = flood(port);
            assertEquals(FLOOD, flood.size(), "every connection is accepted by the kernel, beyond the cap too");
            Thread.sleep(1000);
            closeAll(flood);

            assertEquals("HTTP/1.1 200 OK", eventuallyHealthy(port, 30), gateway.stderr());
            String log = gateway.stderr() + gateway.stdout();
            assertTrue(log.contains("--max-connections lowered from 10000 to"), log);
            assertFalse(log.contains("terminating now"), log);
        }
    }

    /**
     * Helidon 4.4.0 stops listening for good when {@code accept} fails for want of descriptors. When
     * this fails, Helidon keeps listening: the cap may then stay as it is, but need not be lowered
     * to the descriptor limit ({@code DescriptorBudget}).
     */
    @Test
    void helidonsOwnAcceptLoopStillGivesUpWhenDescriptorsRunOut() throws Exception {
        try (ChildProcess helidon = ChildProcess.start(LOW_LIMIT, HelidonAcceptLoopProbe.class)) {
            int port = helidon.awaitPort();
            assertEquals("HTTP/1.1 200 OK", eventuallyHealthy(port, 30), helidon.stderr());
            List<Socket> flood = flood(port);
            Thread.sleep(1000);
            closeAll(flood);
            assertTrue(helidon.stderr().contains("this server socket is terminating now"), helidon.stderr());
            assertEquals("refused", eventuallyHealthy(port, 5), helidon.stderr());
        }
    }

    /** Up to {@link #FLOOD} connections, each with one byte of a request sent; fewer if connecting fails. */
    private static List<Socket> flood(int port) {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < FLOOD; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                socket.getOutputStream().write('G');
            }
        } catch (IOException e) {
            // the listener went away
        }
        return sockets;
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    /** The health check's status line, retried for up to {@code seconds} while the server catches up; "refused" if it stays closed. */
    private static String eventuallyHealthy(int port, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String last = "refused";
        while (System.nanoTime() < deadline) {
            try {
                return healthStatus(port);
            } catch (ConnectException e) {
                last = "refused";
                Thread.sleep(500);
            } catch (SocketTimeoutException e) {
                last = "no answer";
                Thread.sleep(500);
            }
        }
        return last;
    }

    /** The status line of {@code GET /-/healthy}. */
    private static String healthStatus(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /-/healthy HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            if (statusLine == null) {
                throw new IOException("closed without an answer");
            }
            return statusLine;
        }
    }
}
