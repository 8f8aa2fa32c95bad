package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.support.ReadOnlyDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading at start and writing on the interval, through real files. */
class PersistenceTest {
    private static final Duration INTERVAL = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private PersistenceSettings settings(boolean ignoreInvalid) {
        return new PersistenceSettings(dir.resolve("state.snap"), INTERVAL, ignoreInvalid);
    }

    private Persistence persistence(EngineFixture engine) {
        return new Persistence(settings(false), engine.aggregator, () -> Optional.of(Instant.parse("2026-12-01T00:00:00Z")),
                "aggregation-gateway test", Clock.systemUTC());
    }

    @Test
    void aMissingFileIsAnEmptyStart() throws Exception {
        EngineFixture engine = new EngineFixture();
        assertEquals(Optional.empty(), Persistence.load(settings(false), engine.aggregator));
        assertEquals(0, engine.aggregator.seriesCount());
    }

    @Test
    void aWrittenSnapshotLoadsIntoTheNextEngine() throws Exception {
        EngineFixture engine = new EngineFixture().withEveryKindOfState();
        Persistence persistence = persistence(engine);
        assertTrue(persistence.snapshot());

        PersistenceStats stats = persistence.stats();
        assertEquals(1, stats.written());
        assertEquals(0, stats.failed());
        assertEquals(Files.size(dir.resolve("state.snap")), stats.lastBytes());
        assertEquals(Optional.of(Instant.ofEpochMilli(engine.now.get())), stats.lastSuccess());
        assertEquals(engine.aggregator.seriesCount(), stats.lastSeries());
        assertFalse(Files.exists(dir.resolve("state.snap.tmp")), "no temporary file stays");

        EngineFixture next = engine.restarted(List.of("instance"));
        Persistence.Loaded loaded = Persistence.load(settings(false), next.aggregator).orElseThrow();
        assertEquals(engine.text(), next.text());
        assertEquals(Instant.ofEpochMilli(engine.now.get()), loaded.takenAt());
        assertEquals(Optional.of(Instant.parse("2026-12-01T00:00:00Z")), loaded.lastReset());
        assertEquals("aggregation-gateway test", loaded.writer());
        assertEquals(engine.aggregator.seriesCount(), loaded.summary().series());
    }

    @Test
    void aFileThatCannotBeLoadedStopsStartupWithOneLineSayingWhatAndHowToStartAnyway() throws Exception {
        Path file = dir.resolve("state.snap");
        Files.writeString(file, "# TYPE a counter\na 1\n");
        EngineFixture engine = new EngineFixture();
        String message = assertThrows(SnapshotLoadException.class, () -> Persistence.load(settings(false), engine.aggregator))
                .getMessage();
        assertEquals("cannot load snapshot " + file.toAbsolutePath() + ": not a snapshot of the aggregation gateway:"
                + " it begins with bytes 23 20 54 59 50 45 20 61, a snapshot with 89 41 47 53 0d 0a 1a 0a;"
                + " move the file aside, or start with --persistence-ignore-invalid to start empty", message);
        assertTrue(Files.exists(file), "the file is left as it was");
        assertEquals(0, engine.aggregator.seriesCount());
    }

    @Test
    void aTruncatedFileIsRefusedAndTheEngineStaysEmpty() throws Exception {
        EngineFixture engine = new EngineFixture().withEveryKindOfState();
        persistence(engine).snapshot();
        Path file = dir.resolve("state.snap");
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 10));
        EngineFixture next = engine.restarted(List.of("instance"));
        String message = assertThrows(SnapshotLoadException.class, () -> Persistence.load(settings(false), next.aggregator))
                .getMessage();
        assertTrue(message.startsWith("cannot load snapshot " + file.toAbsolutePath() + ": truncated: the file ends inside frame 1"),
                message);
        assertFalse(message.contains("\n"), message);
        assertEquals(0, next.aggregator.seriesCount());
    }

    @Test
    void ignoringAnInvalidFileStartsEmptyAndMovesTheFileAside() throws Exception {
        Path file = dir.resolve("state.snap");
        byte[] garbage = "not a snapshot at all".getBytes(StandardCharsets.UTF_8);
        Files.write(file, garbage);
        EngineFixture engine = new EngineFixture();
        assertEquals(Optional.empty(), Persistence.load(settings(true), engine.aggregator));
        assertEquals(0, engine.aggregator.seriesCount());
        assertFalse(Files.exists(file));
        assertEquals(List.of((byte) 'n'), List.of(Files.readAllBytes(dir.resolve("state.snap.invalid"))[0]));
    }

    @Test
    void aTemporaryFileACrashLeftIsRemovedAtStart() throws Exception {
        Files.writeString(dir.resolve("state.snap.tmp"), "half a snapshot");
        Persistence.load(settings(false), new EngineFixture().aggregator);
        assertFalse(Files.exists(dir.resolve("state.snap.tmp")));
    }

    @Test
    void aReadOnlyDirectoryFailsTheWriteWhichIsCountedAndRetriedWhileTheOldFileStays() throws Exception {
        EngineFixture engine = new EngineFixture();
        engine.delta("/job/a", "# TYPE x_total counter\nx_total 1\n");
        Persistence persistence = persistence(engine);
        assertTrue(persistence.snapshot());
        engine.delta("/job/a", "# TYPE x_total counter\nx_total 1\n");

        try (ReadOnlyDirectory readOnly = ReadOnlyDirectory.of(dir)) {
            assertFalse(persistence.snapshot());
            assertFalse(persistence.snapshot());
            PersistenceStats stats = persistence.stats();
            assertEquals(2, stats.failed());
            assertEquals(1, stats.written());
            String failure = stats.lastFailure().orElseThrow().message();
            assertTrue(failure.contains("state.snap.tmp"), failure);
            engine.delta("/job/a", "# TYPE x_total counter\nx_total 1\n"); // the engine goes on
        }
        EngineFixture fromOld = engine.restarted(List.of("instance"));
        Persistence.load(settings(false), fromOld.aggregator);
        assertEquals("# TYPE x_total counter\nx_total{job=\"a\"} 1\n", fromOld.text(), "the file before the failures");

        assertTrue(persistence.snapshot(), "the next write succeeds once the directory is writable");
        assertEquals(2, persistence.stats().written());
        EngineFixture fromNew = engine.restarted(List.of("instance"));
        Persistence.load(settings(false), fromNew.aggregator);
        assertEquals("# TYPE x_total counter\nx_total{job=\"a\"} 3\n", fromNew.text());
    }

    @Test
    void snapshotsAreWrittenOnTheIntervalAndOnceMoreOnStop() throws Exception {
        EngineFixture engine = new EngineFixture();
        engine.delta("/job/a", "# TYPE x_total counter\nx_total 1\n");
        Persistence persistence = new Persistence(new PersistenceSettings(dir.resolve("state.snap"), Duration.ofMillis(50), false),
                engine.aggregator, Optional::empty, "test", Clock.systemUTC()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (persistence.stats().written() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(persistence.stats().written() >= 3, persistence.stats().toString());
        engine.delta("/job/a", "# TYPE x_total counter\nx_total 1\n");
        assertTrue(persistence.stop());
        long written = persistence.stats().written();
        Thread.sleep(200);
        assertEquals(written, persistence.stats().written(), "no more writes after stop");

        EngineFixture next = engine.restarted(List.of("instance"));
        Persistence.load(settings(false), next.aggregator);
        assertEquals("# TYPE x_total counter\nx_total{job=\"a\"} 2\n", next.text());
    }
}
