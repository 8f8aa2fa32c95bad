package io.aggregationgateway.server.support;

import io.aggregationgateway.testsupport.RequiredExecutable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * Makes a directory refuse new files, as a read-only volume does, and undoes it. Taking the write
 * permission away is enough for an ordinary user; root ignores permissions, so for root the
 * directory is also made immutable with {@code chattr +i} (e2fsprogs), which root obeys.
 */
public final class ReadOnlyDirectory implements AutoCloseable {
    private final Path directory;
    private boolean immutable;

    private ReadOnlyDirectory(Path directory) {
        this.directory = directory;
    }

    /** Makes {@code directory} read-only; skips (fails on CI) when nothing here can. */
    public static ReadOnlyDirectory of(Path directory) throws IOException, InterruptedException {
        ReadOnlyDirectory readOnly = new ReadOnlyDirectory(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("r-xr-xr-x"));
        if (readOnly.stillWritable()) {
            RequiredExecutable.require("/usr/bin/chattr", "e2fsprogs");
            readOnly.immutable = run("/usr/bin/chattr", "+i", directory.toString()) == 0;
            if (!readOnly.immutable || readOnly.stillWritable()) {
                readOnly.close();
                RequiredExecutable.unavailable("cannot make " + directory + " read-only here");
            }
        }
        return readOnly;
    }

    private boolean stillWritable() throws IOException {
        Path probe = directory.resolve(".write-probe");
        try {
            Files.createFile(probe);
        } catch (IOException refused) {
            return false;
        }
        Files.delete(probe);
        return true;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    /** Makes the directory writable again. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (immutable) {
            run("/usr/bin/chattr", "-i", directory.toString());
            immutable = false;
        }
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
