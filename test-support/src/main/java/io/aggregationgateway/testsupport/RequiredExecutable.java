package io.aggregationgateway.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Debian-packaged program an end-to-end test runs. On CI ({@code CI} set) a missing program is a
 * failure, since .ci/run installs it; on a developer's machine the test is skipped instead, so the
 * rest of the build stays usable without the packages.
 */
public final class RequiredExecutable {
    private RequiredExecutable() {
    }

    /** Returns {@code path} if it is executable; otherwise fails on CI and skips elsewhere. */
    public static Path require(String path, String debianPackage) {
        Path program = Path.of(path);
        if (!Files.isExecutable(program)) {
            unavailable(path + " is not installed (apt-get install " + debianPackage + ")");
        }
        return program;
    }

    /** Fails on CI, skips elsewhere: for a peer that is present but unusable, e.g. a missing module. */
    public static void unavailable(String why) {
        if (System.getenv("CI") != null) {
            fail(why + "; .ci/run should have installed it");
        }
        Assumptions.abort(why);
    }
}
