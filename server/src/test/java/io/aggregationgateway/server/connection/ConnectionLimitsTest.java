package io.aggregationgateway.server.connection;

import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Slow, silent, idle and surplus connections, through the real server. */
class ConnectionLimitsTest {
    private static final String HEALTH = "GET /-/healthy HTTP/1.1\r\nHost: gw\r\n\r\n";
    private static final byte[] SLOW_HEAD = "POST /metrics/job/slow HTTP/1.1\r\nHost: gw\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private static Socket connect(RunningGateway gateway) throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), gateway.port());
    }

    /** Whether the server has closed {@code socket}, waiting at most {@code millis} for it. */
    private static boolean closedByServer(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // an answer before the close is fine
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** Reads one answer to {@link #HEALTH} and returns its status line. */
    private static String healthAnswer(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        StringBuilder response = new StringBuilder();
        InputStream in = socket.getInputStream();
        int b;
        while (!response.toString().endsWith("\r\n\r\nOK\n") && (b = in.read()) >= 0) {
            response.append((char) b);
        }
        return response.substring(0, Math.max(0, response.indexOf("\r\n")));
    }

    @Test
    void slowlorisConnectionsAreClosedWithinTheHeaderReadTimeout() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--header-read-timeout", "1s")) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    slow.add(connect(gateway));
                }
                long start = System.nanoTime();
                // a byte every 100 ms from each: the head would take 9 s to arrive; bounded at 60 rounds
                List<Socket> open = new ArrayList<>(slow);
                for (int round = 0; round < 60 && !open.isEmpty(); round++) {
                    for (Socket socket : List.copyOf(open)) {
                        try {
                            socket.getOutputStream().write(SLOW_HEAD[round % SLOW_HEAD.length]);
                        } catch (IOException e) {
                            open.remove(socket); // closed by the gateway
                        }
                    }
                    Thread.sleep(100);
                    assertEquals(200, gateway.send(HttpRequest.newBuilder(gateway.uri("/-/healthy"))).statusCode(),
                            "the gateway answers others meanwhile");
                }
                long seconds = (System.nanoTime() - start) / 1_000_000_000L;
                assertTrue(open.isEmpty(), open.size() + " slow connections still open");
                assertTrue(seconds < 5, "closed after " + seconds + " s, the timeout is 1 s");
                assertEquals("", gateway.scrape().lines().filter(l -> l.contains("slow")).reduce("", String::concat));
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void connectionsThatSayNothingAreClosedWithinTheHeaderReadTimeout() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--header-read-timeout", "1s");
             Socket silent = connect(gateway)) {
            assertTrue(closedByServer(silent, 4000), "a connection that never sends a byte is closed too");
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--idle-timeout", "1s", "--header-read-timeout", "30s");
             Socket idle = connect(gateway)) {
            idle.getOutputStream().write(HEALTH.getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 200 OK", healthAnswer(idle, 10_000));
            assertTrue(closedByServer(idle, 5000), "idle for longer than 1 s, then closed");
        }
    }

    @Test
    void aKeepAliveConnectionInUseStaysOpen() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--idle-timeout", "1s", "--header-read-timeout", "1s");
             Socket busy = connect(gateway)) {
            for (int i = 0; i < 8; i++) { // 2.4 s, requests 300 ms apart
                busy.getOutputStream().write(HEALTH.getBytes(StandardCharsets.US_ASCII));
                assertEquals("HTTP/1.1 200 OK", healthAnswer(busy, 10_000));
                Thread.sleep(300);
            }
        }
    }

    @Test
    void connectionsBeyondTheCapWaitUntilOneCloses() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--max-connections", "3", "--header-read-timeout", "30s",
                "--idle-timeout", "30s")) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket socket = connect(gateway);
                    held.add(socket);
                    socket.getOutputStream().write(HEALTH.getBytes(StandardCharsets.US_ASCII));
                    assertEquals("HTTP/1.1 200 OK", healthAnswer(socket, 10_000));
                }
                Socket waiting = connect(gateway); // the kernel takes it into its accept queue; the gateway does not yet
                held.add(waiting);
                waiting.getOutputStream().write(HEALTH.getBytes(StandardCharsets.US_ASCII));
                assertThrows(SocketTimeoutException.class, () -> healthAnswer(waiting, 1000), "no answer beyond the cap");

                held.remove(0).close();
                assertEquals("HTTP/1.1 200 OK", healthAnswer(waiting, 10_000), "taken once another connection closed");
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }
}
