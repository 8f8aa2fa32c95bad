package io.aggregationgateway.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** bcrypt hashes as operators make them: Debian's {@code htpasswd -nbBC 10 user password} (apache2-utils). */
public final class Htpasswd {
    private static final String BINARY = "/usr/bin/htpasswd";

    private Htpasswd() {
    }

    /** The bcrypt hash ({@code $2y$10$...}) of {@code password}, cost 10. */
    public static String bcrypt(String user, String password) throws IOException, InterruptedException {
        String binary = RequiredExecutable.require(BINARY, "apache2-utils").toString();
        Process process = new ProcessBuilder(binary, "-nbBC", "10", user, password).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0 || !output.startsWith(user + ":$2y$")) {
            process.destroyForcibly();
            throw new IOException("htpasswd failed: " + output + errors);
        }
        return output.substring(user.length() + 1);
    }
}
