package io.aggregationgateway.server;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway as a process: startup errors and a graceful SIGTERM. */
class ProcessLifecycleTest {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

    private static Process startGateway(String... flags) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(flags));
        return new ProcessBuilder(command).start();
    }

    @Test
    void anInvalidCronStopsStartupWithAClearMessageAndNoStackTrace() throws Exception {
        Process process = startGateway("--port", "0", "--reset-cron", "99 * * * *");
        try {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, process.exitValue(), stderr);
            assertTrue(stderr.startsWith("aggregation-gateway: --reset-cron \"99 * * * *\" is not a valid cron expression"), stderr);
            assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void sigtermFinishesTheInFlightPushAndExitsZero() throws Exception {
        Process process = startGateway("--host", "127.0.0.1", "--port", "0");
        try {
            int port = awaitPort(process);
            byte[] body = "# TYPE drained_total counter\ndrained_total 1\n".getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /metrics/job/drain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, 10); // the push is in flight: headers sent, body only begun
                out.flush();
                Thread.sleep(300);

                process.destroy(); // SIGTERM
                Thread.sleep(300);
                assertTrue(process.isAlive(), "the gateway must wait for the in-flight push");

                out.write(body, 10, body.length - 10);
                out.flush();
                String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                assertEquals("HTTP/1.1 200 OK", status);
            }
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the gateway did not stop");
            assertEquals(0, process.exitValue());
        } finally {
            process.destroyForcibly();
        }
    }

    /** Reads the child's stdout until it says its port (bounded), then keeps draining it. */
    private static int awaitPort(Process process) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (InputStream in = process.getInputStream();
                 BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("gateway exited before listening"));
        }, "gateway-stdout");
        reader.setDaemon(true);
        reader.start();
        new Thread(() -> drain(process.getErrorStream()), "gateway-stderr").start();
        return port.get(30, TimeUnit.SECONDS);
    }

    private static void drain(InputStream in) {
        try (in) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the process ended
        }
    }
}
