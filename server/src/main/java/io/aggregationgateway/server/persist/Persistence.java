package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.RestoreSummary;
import io.aggregationgateway.server.aggregate.StoreImage;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Keeps the engine's state in a snapshot file: loads it once at start, before the gateway serves,
 * then writes a snapshot on every interval and once more when the gateway stops. A write that fails
 * (disk full, permissions) is logged and counted, and the next interval tries again; serving goes
 * on regardless. Writes run on one daemon thread; pushes wait only while the engine's values are
 * read ({@link Aggregator#image()}), not while they are encoded and written.
 */
public final class Persistence implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Persistence.class.getName());
    private static final Duration STOP_WAIT = Duration.ofMinutes(1);

    private final PersistenceSettings settings;
    private final SnapshotFile file;
    private final Aggregator aggregator;
    private final Supplier<Optional<Instant>> lastReset;
    private final String writer;
    private final Clock clock;
    private final ReentrantLock writing = new ReentrantLock();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "aggregation-gateway-snapshot");
        thread.setDaemon(true);
        return thread;
    });
    private volatile PersistenceStats stats = PersistenceStats.NONE;
    private int failuresInARow;

    /** What {@link #load} put into the engine. */
    public record Loaded(Instant takenAt, Optional<Instant> lastReset, String writer, RestoreSummary summary) {
    }

    /**
     * @param lastReset when the reset schedule last cleared the aggregate, written into each snapshot
     * @param writer    this build's name and version, written into each snapshot
     */
    public Persistence(PersistenceSettings settings, Aggregator aggregator, Supplier<Optional<Instant>> lastReset,
                       String writer, Clock clock) {
        this.settings = settings;
        this.file = new SnapshotFile(settings.file());
        this.aggregator = aggregator;
        this.lastReset = lastReset;
        this.writer = writer;
        this.clock = clock;
    }

    /**
     * Loads the snapshot file into {@code aggregator}, which must be empty. A missing file is an
     * empty start. A file that cannot be loaded stops startup, unless the settings say to ignore it:
     * then it is moved aside to {@code NAME.invalid} and the engine stays empty.
     *
     * @return what was loaded; empty when nothing was
     * @throws SnapshotLoadException with a one-line message naming the file, what is wrong and how to start anyway
     */
    public static Optional<Loaded> load(PersistenceSettings settings, Aggregator aggregator) throws SnapshotLoadException {
        SnapshotFile file = new SnapshotFile(settings.file());
        Path path = file.path();
        file.deleteTemporary();
        warnIfNotWritable(path);
        String problem;
        long start = System.nanoTime();
        try {
            Optional<Snapshot> read = file.read();
            if (read.isEmpty()) {
                LOG.info(() -> "no snapshot at " + path + " yet: starting empty");
                return Optional.empty();
            }
            Snapshot snapshot = read.get();
            RestoreSummary summary = aggregator.restore(snapshot.store());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            LOG.info(() -> describe(path, snapshot, summary, took));
            return Optional.of(new Loaded(snapshot.takenAt(), snapshot.lastReset(), snapshot.writer(), summary));
        } catch (InvalidSnapshotException e) {
            problem = e.getMessage();
        } catch (IllegalArgumentException e) {
            problem = "corrupt: its content contradicts itself: " + e.getMessage();
        } catch (IOException e) {
            problem = "cannot be read: " + describe(e);
        }
        String what = oneLine(problem);
        if (!settings.ignoreInvalid()) {
            throw new SnapshotLoadException("cannot load snapshot " + path + ": " + what
                    + "; move the file aside, or start with --persistence-ignore-invalid to start empty");
        }
        Path aside = path.resolveSibling(path.getFileName() + ".invalid");
        String moved;
        try {
            Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
            moved = "the file was moved to " + aside;
        } catch (IOException e) {
            moved = "it could not be moved aside (" + describe(e) + ") and the next snapshot replaces it";
        }
        LOG.warning("snapshot " + path + " ignored (--persistence-ignore-invalid): " + what + "; starting empty; " + moved);
        return Optional.empty();
    }

    private static String describe(Path path, Snapshot snapshot, RestoreSummary summary, Duration took) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "loaded snapshot %s taken at %s%s in %d ms: %,d families, %,d series, %,d sources, %,d (series, source) states",
                path, snapshot.takenAt(), snapshot.writer().isEmpty() ? "" : " by " + snapshot.writer(), took.toMillis(),
                summary.families(), summary.series(), summary.sources(), summary.states()));
        if (summary.droppedSources() > 0) {
            out.append(String.format(Locale.ROOT, "; %,d sources left out: they were recognised by the source labels %s,"
                    + " not the ones configured now", summary.droppedSources(), snapshot.store().sourceLabels()));
        }
        if (summary.expiredSeries() > 0 || summary.expiredSources() > 0) {
            out.append(String.format(Locale.ROOT, "; expired since: %,d series, %,d sources",
                    summary.expiredSeries(), summary.expiredSources()));
        }
        return out.toString();
    }

    /** A missing or read-only directory does not stop startup (the gateway serves without snapshots), but says so. */
    private static void warnIfNotWritable(Path path) {
        Path directory = path.getParent();
        if (!Files.isDirectory(directory)) {
            LOG.warning("the directory of the snapshot file " + path + " does not exist: snapshots will fail until it does");
        } else if (!Files.isWritable(directory)) {
            LOG.warning("the directory of the snapshot file " + path + " is not writable: snapshots will fail until it is");
        }
    }

    /** Writes a snapshot on every interval from now on. */
    public Persistence start() {
        long millis = settings.interval().toMillis();
        executor.scheduleAtFixedRate(() -> write(Pace.sharingTheCpu()), millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Writes one snapshot now, at full speed. Never throws: a failure is logged and counted.
     *
     * @return whether it was written
     */
    public boolean snapshot() {
        return write(Pace.FULL_SPEED);
    }

    private boolean write(Pace pace) {
        writing.lock();
        try {
            long start = System.nanoTime();
            StoreImage image = aggregator.image();
            Snapshot snapshot = new Snapshot(image, lastReset.get(), writer);
            long bytes = file.write(snapshot, pace);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            stats = stats.succeeded(snapshot.takenAt(), took, bytes, image.seriesCount());
            if (failuresInARow > 0) {
                LOG.info("snapshot written to " + file.path() + " again, after " + failuresInARow + " failed");
            }
            failuresInARow = 0;
            LOG.fine(() -> String.format(Locale.ROOT, "snapshot of %,d series written to %s in %d ms: %,d bytes",
                    image.seriesCount(), file.path(), took.toMillis(), bytes));
            return true;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // OutOfMemoryError too: an image of a huge store may not fit beside it, and the store must go on serving
            failuresInARow++;
            String what = e instanceof IOException io ? describe(io) : e.toString();
            stats = stats.failed(clock.instant(), oneLine(what));
            LOG.warning("snapshot to " + file.path() + " failed: " + oneLine(what) + " (" + failuresInARow
                    + " in a row); the gateway keeps serving and tries again in " + shown(settings.interval()));
            return false;
        } finally {
            writing.unlock();
        }
    }

    public PersistenceStats stats() {
        return stats;
    }

    public PersistenceSettings settings() {
        return settings;
    }

    /**
     * Stops the schedule (letting a write under way finish) and writes the last snapshot; call it
     * once nothing is pushed any more.
     *
     * @return whether the last snapshot was written
     */
    public boolean stop() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning("a snapshot write still runs after " + shown(STOP_WAIT) + "; writing the last one anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean written = snapshot();
        if (written) {
            PersistenceStats last = stats;
            LOG.info(() -> String.format(Locale.ROOT, "last snapshot written to %s in %d ms: %,d series, %,d bytes",
                    file.path(), last.lastDuration().toMillis(), last.lastSeries(), last.lastBytes()));
        }
        return written;
    }

    @Override
    public void close() {
        stop();
    }

    /** An I/O error in a few words: the JDK's messages for these are often only the path. */
    static String describe(IOException e) {
        String reason = e instanceof FileSystemException fs ? fs.getReason() : null;
        String kind = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "no such file or directory"
                : reason != null ? reason : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return e instanceof FileSystemException fs && fs.getFile() != null ? kind + " (" + fs.getFile() + ")" : kind;
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static String shown(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
