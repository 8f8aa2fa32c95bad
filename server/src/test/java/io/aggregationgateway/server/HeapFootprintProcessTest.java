package io.aggregationgateway.server;

import io.aggregationgateway.server.support.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway started as {@code java} starts it sets the manageable heap flags that keep its
 * footprint near the live data, and leaves alone one the command line chose.
 */
class HeapFootprintProcessTest {
    @Test
    void setsTheHeapFlagsTheCommandLineLeftAtTheirDefaults(@TempDir Path dir) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.launch(dir.resolve("gateway.log"), List.of("-XX:MaxHeapFreeRatio=50"))) {
            gateway.awaitListening();
            String flags = jcmd(gateway.pid(), "VM.flags");
            assertTrue(flags.contains("-XX:MinHeapFreeRatio=5"), flags);
            assertTrue(flags.contains("-XX:G1PeriodicGCInterval=30000"), flags);
            assertTrue(flags.contains("-XX:MaxHeapFreeRatio=50"), "the operator's choice stays: " + flags);
        }
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Process jcmd = new ProcessBuilder(java.resolveSibling("jcmd").toString(), Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS), "jcmd did not finish");
        return out;
    }
}
