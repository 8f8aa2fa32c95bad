package io.aggregationgateway.server;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM started by a test with this test's class path, e.g. a gateway through {@link Main}: its port
 * read from the "listening on" line it prints, its output kept for assertions.
 */
final class ChildProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

    final Process process;
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private ChildProcess(Process process) {
        this.process = process;
        stdoutReader = new Thread(this::readStdout, "child-stdout");
        stdoutReader.setDaemon(true);
        stdoutReader.start();
        stderrReader = new Thread(() -> copy(process.getErrorStream(), stderr), "child-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
    }

    /** Runs {@code mainClass} with {@code args}; {@code shellPrefix} (e.g. {@code ulimit -n 256}) runs first in bash. */
    static ChildProcess start(String shellPrefix, Class<?> mainClass, String... args) throws IOException {
        List<String> java = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        java.addAll(List.of(args));
        List<String> command = java;
        if (shellPrefix != null) {
            // exec: the shell becomes the JVM, so the process's PID is the JVM's and destroy() stops it
            command = List.of("/bin/bash", "-c", shellPrefix + "; exec \"$@\"", "child", java.get(0));
            command = new ArrayList<>(command);
            command.addAll(java.subList(1, java.size()));
        }
        return new ChildProcess(new ProcessBuilder(command).start());
    }

    /** The gateway's port, once it says it listens (at most 60 s: starting on two shared cores is slow). */
    int awaitPort() throws Exception {
        return port.get(60, TimeUnit.SECONDS);
    }

    /** Whether the process ended within {@code seconds}; then all its output has been read. */
    boolean awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            return false;
        }
        stdoutReader.join(10_000);
        stderrReader.join(10_000);
        return true;
    }

    String stdout() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    private void readStdout() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (stdout) {
                    stdout.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
                }
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            port.completeExceptionally(e);
        }
        port.completeExceptionally(new IllegalStateException("exited before listening: " + stderr()));
    }

    private static void copy(InputStream in, ByteArrayOutputStream to) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (to) {
                    to.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
