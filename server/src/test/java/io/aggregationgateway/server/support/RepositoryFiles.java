package io.aggregationgateway.server.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository outside this module (deploy/, docs/), found from wherever the tests run. */
public final class RepositoryFiles {
    private RepositoryFiles() {
    }

    /** The repository's root: the nearest directory at or above the working directory holding {@code deploy/}. */
    public static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root with deploy/ above " + Path.of("").toAbsolutePath());
    }

    /** A path relative to the repository's root, e.g. {@code deploy/nginx/nginx.conf}. */
    public static Path resolve(String relative) {
        return root().resolve(relative);
    }
}
