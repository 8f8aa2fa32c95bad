package io.aggregationgateway.server.persist;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Files of every released format version, kept under {@code src/test/resources/persist/} with the
 * state each holds as text: every later build must read them to the same state (a later build
 * reads older versions). The file of the current version is also what this build writes, byte for
 * byte, for the fixture's state; when the format changes, a new version gets a new file and the old
 * ones stay.
 */
class GoldenSnapshotTest {
    /** Version 1 has no start times: its series began, as read, at their last push. */
    private static final int[] RELEASED = {1, 2};

    @Test
    void everyReleasedVersionReadsToTheStateItHolds() throws Exception {
        for (int version : RELEASED) {
            byte[] file = resource("snapshot-v" + version + ".bin");
            String expected = new String(resource("snapshot-v" + version + ".txt"), StandardCharsets.UTF_8);
            Snapshot read = SnapshotDecoder.read(new ByteArrayInputStream(file));
            assertEquals(expected, ImageText.of(read.store()), "version " + version);
            assertEquals(Optional.of(Instant.parse("2026-12-01T00:00:00Z")), read.lastReset());
            assertEquals("aggregation-gateway golden", read.writer());
        }
    }

    @Test
    void theCurrentVersionIsWhatThisBuildWrites() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotEncoder.write(golden(), out);
        assertArrayEquals(resource("snapshot-v" + SnapshotFormat.VERSION + ".bin"), out.toByteArray(),
                "the format (or the fixture's state) changed: a new format gets a new version and file, the old ones stay");
    }

    /** The snapshot the golden files hold: the fixture's every kind of state. */
    static Snapshot golden() throws Exception {
        return new Snapshot(new EngineFixture().withEveryKindOfState().aggregator.image(),
                Optional.of(Instant.parse("2026-12-01T00:00:00Z")), "aggregation-gateway golden");
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = GoldenSnapshotTest.class.getResourceAsStream("/persist/" + name)) {
            assertNotNull(in, "test resource persist/" + name);
            return in.readAllBytes();
        }
    }
}
