package io.aggregationgateway.server;

import io.aggregationgateway.testsupport.Htpasswd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway as a process: startup errors, a graceful SIGTERM, SIGHUP re-reading the web config file. */
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
    void aPortAnotherProcessHoldsStopsStartupWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ChildProcess gateway = ChildProcess.start(null, Main.class, "--host", "127.0.0.1",
                     "--port", String.valueOf(taken.getLocalPort()))) {
            assertTrue(gateway.awaitExit(30), "the gateway kept running without its port");
            String stderr = gateway.stderr();
            assertEquals(1, gateway.process.exitValue(), stderr);
            assertEquals("aggregation-gateway: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                            + ": the port is in use or the address is not available (choose another with --port or --host)",
                    stderr.lines().filter(line -> line.startsWith("aggregation-gateway:")).findFirst().orElse(stderr));
            assertFalse(gateway.stdout().contains("listening on"), gateway.stdout());
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

    @Test
    void aWebConfigFileWithAnUnknownKeyStopsStartupWithOneLine(@TempDir Path dir) throws Exception {
        Path webConfig = dir.resolve("web.yml");
        Files.writeString(webConfig, "tls_server_confg:\n  cert_file: a.crt\n");
        try (ChildProcess gateway = ChildProcess.start(null, Main.class, "--port", "0", "--web-config-file", webConfig.toString())) {
            assertTrue(gateway.awaitExit(30));
            String stderr = gateway.stderr();
            assertEquals(2, gateway.process.exitValue(), stderr);
            assertEquals("aggregation-gateway: web config file " + webConfig + ": unknown key \"tls_server_confg\" (see --help)",
                    stderr.lines().filter(line -> line.startsWith("aggregation-gateway:")).findFirst().orElse(stderr));
            assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
        }
    }

    @Test
    void sighupReadsTheWebConfigFileAgain(@TempDir Path dir) throws Exception {
        Path webConfig = dir.resolve("web.yml");
        Files.writeString(webConfig, "basic_auth_users:\n  alice: '" + Htpasswd.bcrypt("alice", "first") + "'\n");
        try (ChildProcess gateway = ChildProcess.start(null, Main.class, "--host", "127.0.0.1", "--port", "0",
                "--web-config-file", webConfig.toString());
             HttpClient http = HttpClient.newHttpClient()) {
            int port = gateway.awaitPort();
            assertEquals(200, status(http, port, "alice", "first"));
            kill("-HUP", gateway.process);
            awaitLog(gateway, "are unchanged"); // only an asked-for reading says so: the signal reached the gateway
            Files.writeString(webConfig, "basic_auth_users:\n  alice: '" + Htpasswd.bcrypt("alice", "second") + "'\n");
            kill("-HUP", gateway.process);
            awaitLog(gateway, "re-read web config file");
            assertEquals(200, status(http, port, "alice", "second"));
            assertEquals(401, status(http, port, "alice", "first"));
        }
    }

    private static int status(HttpClient http, int port, String user, String password) throws Exception {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Authorization", "Basic " + credentials).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void kill(String signal, Process process) throws Exception {
        Process kill = new ProcessBuilder("/bin/kill", signal, String.valueOf(process.pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }

    /** Waits (at most 60 s, as for the port: a loaded machine is slow) until the gateway has logged {@code text}; the log goes to stderr. */
    private static void awaitLog(ChildProcess gateway, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!gateway.stderr().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(gateway.stderr().contains(text), "no \"" + text + "\" in the log:\n" + gateway.stderr());
    }
}
