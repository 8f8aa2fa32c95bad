package io.aggregationgateway.server;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway as a process: startup errors and a graceful SIGTERM. */
class ProcessLifecycleTest {
    @Test
    void anInvalidCronStopsStartupWithAClearMessageAndNoStackTrace() throws Exception {
        try (ChildProcess gateway = ChildProcess.start(null, Main.class, "--port", "0", "--reset-cron", "99 * * * *")) {
            assertTrue(gateway.awaitExit(30));
            String stderr = gateway.stderr();
            assertEquals(2, gateway.process.exitValue(), stderr);
            assertTrue(stderr.startsWith("aggregation-gateway: --reset-cron \"99 * * * *\" is not a valid cron expression"), stderr);
            assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
        }
    }

    @Test
    void sigtermFinishesTheInFlightPushAndExitsZero() throws Exception {
        try (ChildProcess gateway = ChildProcess.start(null, Main.class, "--host", "127.0.0.1", "--port", "0")) {
            int port = gateway.awaitPort();
            byte[] body = "# TYPE drained_total counter\ndrained_total 1\n".getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /metrics/job/drain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, 10); // the push is in flight: headers sent, body only begun
                out.flush();
                Thread.sleep(300);

                gateway.process.destroy(); // SIGTERM
                Thread.sleep(300);
                assertTrue(gateway.process.isAlive(), "the gateway must wait for the in-flight push");

                out.write(body, 10, body.length - 10);
                out.flush();
                String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                assertEquals("HTTP/1.1 200 OK", status);
            }
            assertTrue(gateway.awaitExit(30), "the gateway did not stop");
            assertEquals(0, gateway.process.exitValue());
        }
    }
}
