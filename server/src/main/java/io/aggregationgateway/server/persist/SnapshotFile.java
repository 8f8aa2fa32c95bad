package io.aggregationgateway.server.persist;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The snapshot file on disk, replaced atomically: a snapshot is written to a temporary file in the
 * same directory ({@code NAME.tmp}), forced to the disk, renamed over the file, and the directory
 * is forced so the rename survives a power cut. A crash at any moment leaves either the old file or
 * the new one, whole, and at worst a stale temporary file, which the next write replaces.
 */
public final class SnapshotFile {
    private static final Logger LOG = Logger.getLogger(SnapshotFile.class.getName());
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path path;
    private final Path temporary;

    public SnapshotFile(Path path) {
        this.path = path.toAbsolutePath();
        this.temporary = this.path.resolveSibling(this.path.getFileName() + ".tmp");
    }

    public Path path() {
        return path;
    }

    /** The temporary file a write goes to before it is renamed. */
    Path temporary() {
        return temporary;
    }

    /**
     * Writes {@code snapshot} at full speed and puts it in place of the file.
     *
     * @return the file's size in bytes
     * @throws IOException when anything fails (disk full, permissions, ...); the file is then as it was
     */
    public long write(Snapshot snapshot) throws IOException {
        return write(snapshot, Pace.FULL_SPEED);
    }

    long write(Snapshot snapshot, Pace pace) throws IOException {
        long bytes;
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
             OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES)) {
            bytes = SnapshotEncoder.write(snapshot, out, SnapshotFormat.VERSION, pace);
            out.flush();
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            deleteTemporary();
            throw e;
        }
        try {
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteTemporary();
            throw e;
        }
        forceDirectory();
        return bytes;
    }

    /**
     * Reads the file.
     *
     * @return empty when there is no file
     * @throws IOException              when it exists but cannot be read
     * @throws InvalidSnapshotException when it is not a snapshot this build reads
     */
    public Optional<Snapshot> read() throws IOException, InvalidSnapshotException {
        InputStream file;
        try {
            file = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try (InputStream in = new BufferedInputStream(file, BUFFER_BYTES)) {
            return Optional.of(SnapshotDecoder.read(in));
        }
    }

    /** Removes a temporary file a crash left behind. */
    void deleteTemporary() {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            LOG.log(Level.FINE, "cannot delete " + temporary, e);
        }
    }

    private void forceDirectory() {
        // Linux lets a directory be opened for reading and forced; where that is not possible the
        // rename is still atomic, only not yet durable across a power cut.
        try (FileChannel directory = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.FINE, "cannot force directory " + path.getParent(), e);
        }
    }
}
