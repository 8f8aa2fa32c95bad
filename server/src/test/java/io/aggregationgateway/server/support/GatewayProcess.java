package io.aggregationgateway.server.support;

import io.aggregationgateway.server.Main;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The gateway as its own JVM ({@link Main} on this test's class path) on a free loopback port, so a
 * test can kill it as a crash would: by its PID, without a chance to finish anything. Its output
 * goes to a log file whose tail failure messages carry.
 */
public final class GatewayProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    /** Small and quick to start: a few replicas run side by side with the build on two cores. */
    private static final List<String> JVM_FLAGS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Process process;
    private final Path log;
    private final Thread killOnExit;
    private int port = -1;

    private GatewayProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.killOnExit = new Thread(process::destroyForcibly, "kill gateway " + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Launches the gateway with {@code --host 127.0.0.1 --port 0} and {@code flags}, without waiting:
     * several can start side by side; {@link #awaitListening()} waits for one.
     */
    public static GatewayProcess launch(Path log, String... flags) throws IOException {
        return launch(log, JVM_FLAGS, flags);
    }

    /** Like {@link #launch(Path, String...)}, with these JVM options instead of the small quick ones. */
    public static GatewayProcess launch(Path log, List<String> jvmFlags, String... flags) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--host", "127.0.0.1", "--port", "0"));
        command.addAll(List.of(flags));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new GatewayProcess(process, log);
    }

    /** Waits (bounded) until the gateway says which port it listens on, and returns that port. */
    public int awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (port < 0 && System.nanoTime() < deadline) {
            Matcher matcher = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (matcher.find()) {
                port = Integer.parseInt(matcher.group(1));
            } else if (!process.isAlive()) {
                fail("the gateway exited with " + process.exitValue() + " before listening\n" + logTail());
            } else {
                Thread.sleep(50);
            }
        }
        if (port < 0) {
            fail("the gateway did not listen within " + START_LIMIT + "\n" + logTail());
        }
        return port;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as Prometheus names the target and nginx the upstream server. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The process id, for tools such as {@code jcmd}. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL by PID, as a crash or an OOM kill ends it; returns once the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            fail("gateway " + process.pid() + " survived SIGKILL for 10 s");
        }
    }

    /** SIGTERM, as Kubernetes stops a pod; returns the exit code once the gateway is gone (fails after 60 s). */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            fail("gateway " + process.pid() + " did not stop within 60 s of SIGTERM\n" + logTail());
        }
        return process.exitValue();
    }

    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- gateway log tail (" + log + ") ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no gateway log: " + e + ")";
        }
    }

    /** SIGTERM (the gateway drains and exits 0), SIGKILL if it takes too long. */
    @Override
    public void close() throws InterruptedException {
        try {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or about to: nothing left to undo
            }
        }
    }
}
