package io.aggregationgateway.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs Debian's {@code promtool check metrics} and {@code promtool check rules}. On CI ({@code CI} set) promtool must exist,
 * since .ci/run installs it; elsewhere a test using it is skipped when it is missing.
 */
public final class Promtool {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private Promtool() {
    }

    /** Asserts that promtool parses the exposition without errors, and returns what it printed. */
    public static String checkMetrics(byte[] exposition) throws IOException, InterruptedException {
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), "promtool not installed (apt-get install prometheus)");
        }
        Process process = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(exposition);
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // promtool exits 3 for lint findings (naming advice), 1 for errors it cannot parse past
        assertTrue(process.exitValue() == 0 || (process.exitValue() == 3 && !output.contains("error")),
                () -> "promtool check metrics failed (" + process.exitValue() + "):\n" + output);
        return output;
    }

    /** Asserts that promtool finds the rule files valid (syntax, PromQL, no duplicate rules), and returns what it printed. */
    public static String checkRules(Path... ruleFiles) throws IOException, InterruptedException {
        String promtool = RequiredExecutable.require(PROMTOOL.toString(), "prometheus").toString();
        List<String> command = new ArrayList<>(List.of(promtool, "check", "rules"));
        for (Path file : ruleFiles) {
            command.add(file.toString());
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertTrue(process.exitValue() == 0, () -> "promtool check rules failed (" + process.exitValue() + "):\n" + output);
        return output;
    }
}
