package io.aggregationgateway.testsupport;


import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's {@code /usr/bin/python3} with Debian's {@code python3-prometheus-client}, running scripts
 * from the test class path's {@code e2e/} folder. Always that interpreter, never the first {@code python3} on the
 * PATH: a pyenv or virtualenv python there would not see the Debian module.
 */
public final class SystemPython {
    private static final String BINARY = "/usr/bin/python3";
    private static final Duration IMPORT_LIMIT = Duration.ofSeconds(20);

    private final Path workDir;
    private final String interpreter;

    /** Requires the interpreter and the client library (skipped locally, failed on CI, when missing). */
    public SystemPython(Path workDir) throws IOException, InterruptedException {
        this.workDir = workDir;
        this.interpreter = RequiredExecutable.require(BINARY, "python3").toString();
        Result probe = runCommand(List.of(interpreter, "-I", "-c", "import prometheus_client"), IMPORT_LIMIT);
        if (probe.exitCode() != 0) {
            RequiredExecutable.unavailable(BINARY + " cannot import prometheus_client (apt-get install python3-prometheus-client): "
                    + probe.output());
        }
    }

    /** What a script printed (stdout and stderr together) and how it exited. */
    public record Result(int exitCode, String output) {
    }

    /** Runs test resource {@code e2e/<script>} with {@code args}; it must exit 0 within {@code limit}. Returns its output. */
    public String run(String script, Duration limit, String... args) throws IOException, InterruptedException {
        Path file = workDir.resolve(script);
        if (!Files.exists(file)) {
            try (InputStream resource = SystemPython.class.getResourceAsStream("/e2e/" + script)) {
                if (resource == null) {
                    throw new IllegalArgumentException("no test resource e2e/" + script);
                }
                Files.copy(resource, file);
            }
        }
        List<String> command = new ArrayList<>(List.of(interpreter, "-I", file.toString()));
        command.addAll(List.of(args));
        Result result = runCommand(command, limit);
        assertEquals(0, result.exitCode(), () -> script + " " + String.join(" ", args) + " failed:\n" + result.output());
        return result.output();
    }

    private Result runCommand(List<String> command, Duration limit) throws IOException, InterruptedException {
        // output to a file, not a pipe: a hung script must not block the test on a read
        Path output = Files.createTempFile(workDir, "python", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        withoutProxies(builder.environment());
        Process process = builder.start();
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(String.join(" ", command) + " did not finish within " + limit + ":\n" + read(output));
            }
            return new Result(process.exitValue(), read(output));
        } finally {
            process.destroyForcibly(); // no-op once it has exited
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** urllib would send even loopback requests through a proxy named in the environment. */
    private static void withoutProxies(Map<String, String> environment) {
        environment.keySet().removeIf(name -> name.equalsIgnoreCase("http_proxy") || name.equalsIgnoreCase("https_proxy")
                || name.equalsIgnoreCase("all_proxy"));
        environment.put("no_proxy", "127.0.0.1,localhost");
    }

    private static String read(Path output) {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
