package io.aggregationgateway.server.grpc;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The threads of HTTP/2 streams in this JVM, from a dump of every thread, virtual ones too: Helidon
 * 4.4.0 names each stream's thread "[socket ids] - stream id" while it runs. Tests give their
 * streams ids no other test uses.
 */
final class StreamThreads {
    private StreamThreads() {
    }

    /** How many threads of streams with this id there are now; the dump goes into {@code dir}. */
    static int count(Path dir, int streamId) throws IOException {
        Path dump = Files.createTempFile(dir, "threads", ".json");
        Files.delete(dump); // the dump makes the file itself
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        Matcher threads = Pattern.compile("\"name\": \"\\[[^\"]*\\] - " + streamId + "\"").matcher(Files.readString(dump));
        int count = 0;
        while (threads.find()) {
            count++;
        }
        Files.delete(dump);
        return count;
    }

    /** The count once it is {@code expected}, or after ten seconds. */
    static int awaitCount(Path dir, int streamId, int expected) throws IOException, InterruptedException {
        int seen = count(dir, streamId);
        for (int i = 0; i < 200 && seen != expected; i++) {
            Thread.sleep(50);
            seen = count(dir, streamId);
        }
        return seen;
    }
}
