package io.aggregationgateway.server.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What build of the gateway is running: the Maven project version, which the build writes into
 * {@code build.properties} next to this class (so it is the same from the jar and from an IDE's
 * class folder), and the Java runtime it runs on.
 */
public record BuildInfo(String version, String javaVersion) {
    private static final String RESOURCE = "build.properties";

    /** The running build's. */
    public static BuildInfo current() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing next to " + BuildInfo.class.getName()
                        + ": the build did not copy its resources");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String version = properties.getProperty("version", "");
        if (version.isBlank() || version.contains("${")) {
            throw new IllegalStateException(RESOURCE + " has no version: the build did not filter its resources");
        }
        return new BuildInfo(version, Runtime.version().toString());
    }
}
