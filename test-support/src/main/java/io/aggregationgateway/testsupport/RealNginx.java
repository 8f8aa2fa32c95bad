package io.aggregationgateway.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's {@code /usr/sbin/nginx} as a child process in the foreground ({@code daemon off}), its
 * prefix, temporary files and pid file in a directory the test owns, listening on free loopback
 * ports the caller writes into the configuration. Stopped by its PID on {@link #close()} (SIGTERM,
 * which stops the workers too), or by a shutdown hook should the JVM exit first.
 */
public final class RealNginx implements AutoCloseable {
    private static final String BINARY = "/usr/sbin/nginx";
    private static final Duration START_LIMIT = Duration.ofSeconds(20);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;

    /** Writes the configuration for the given listening ports and returns the main file's path. */
    @FunctionalInterface
    public interface ConfigWriter {
        Path write(Path workDir, List<Integer> ports) throws IOException;
    }

    private final Process process;
    private final Path log;
    private final List<Integer> ports;
    private final Thread killOnExit;

    private RealNginx(Process process, Path log, List<Integer> ports) {
        this.process = process;
        this.log = log;
        this.ports = ports;
        this.killOnExit = new Thread(this::stopNow, "kill nginx " + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Picks {@code portCount} free loopback ports, lets {@code config} write the configuration for
     * them, starts nginx and returns once every port accepts connections. When a port was taken in
     * the meantime, tries again with new ones.
     */
    public static RealNginx start(Path workDir, int portCount, ConfigWriter config) throws IOException, InterruptedException {
        String binary = RequiredExecutable.require(BINARY, "nginx-light").toString();
        Files.createDirectories(workDir.resolve("tmp"));
        Path log = workDir.resolve("nginx.log");
        for (int attempt = 1; ; attempt++) {
            List<Integer> ports = IntStream.range(0, portCount).mapToObj(i -> FreePort.pick()).toList();
            Path mainConfig = config.write(workDir, ports);
            // -p: relative paths in the configuration (pid, temp files) are under workDir; -e: no /var/log
            Process process = new ProcessBuilder(binary, "-c", mainConfig.toString(), "-p", workDir + "/",
                    "-e", log.toString(), "-g", "daemon off;")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            RealNginx nginx = new RealNginx(process, log, ports);
            try {
                if (nginx.awaitListening()) {
                    return nginx;
                }
                nginx.close();
                if (attempt == START_ATTEMPTS) {
                    fail("nginx found no free ports in " + START_ATTEMPTS + " attempts\n" + nginx.logTail());
                }
            } catch (Throwable e) {
                nginx.close();
                throw e;
            }
        }
    }

    /** True once every port accepts connections, false if nginx exited because a port was taken. */
    private boolean awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                if (logTail().contains("Address already in use")) {
                    return false;
                }
                fail("nginx exited with " + process.exitValue() + " before it listened\n" + logTail());
            }
            if (ports.stream().allMatch(RealNginx::accepts)) {
                return true;
            }
            Thread.sleep(50);
        }
        return fail("nginx did not listen on " + ports + " within " + START_LIMIT + "\n" + logTail());
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The ports in the order the {@link ConfigWriter} got them. */
    public List<Integer> ports() {
        return ports;
    }

    /** The last lines nginx logged (errors, upstream failures). */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- nginx log tail (" + log + ") ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no nginx log: " + e + ")";
        }
    }

    /** SIGTERM to the master, which stops its workers; SIGKILL to each, by PID, if that takes too long. */
    private void stopNow() {
        List<ProcessHandle> workers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                workers.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            workers.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopNow();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to: nothing left to undo
        }
    }
}
