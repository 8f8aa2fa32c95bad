package io.aggregationgateway.server.grpc;

import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2Exception;
import io.helidon.http.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The two faults of Helidon's HPACK decoder that {@link HpackRewriter} works around, as Helidon
 * 4.4.0 has them. When one of these tests fails, Helidon has fixed that fault: drop the matching
 * rewrite (and this test).
 */
class HelidonHpackFaultsTest {
    @Test
    void helidonStillRefusesAPseudoHeaderSentAsALiteralWithANewName() {
        byte[] block = new HpackBlock().indexed(3).indexed(6).withIndexing(":path", "/svc/Push").bytes();
        Http2Exception e = assertThrows(Http2Exception.class,
                () -> HpackBlock.helidonDecoded(Http2Headers.DynamicTable.create(4096), block),
                "Helidon now reads pseudo-headers with literal names: HpackRewriter need not rename them");
        assertEquals(Http2ErrorCode.PROTOCOL, e.code());
    }

    @Test
    void helidonStillLoopsOnAnEntryLargerThanItsTable() throws Exception {
        // in a process of its own: the loop never ends, and a thread cannot be stopped
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), OversizedEntry.class.getName())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // it says when it starts decoding, so a slow JVM start does not pass for the loop
            assertEquals("decoding", firstLine.get(60, TimeUnit.SECONDS));
            boolean returned = process.waitFor(3, TimeUnit.SECONDS);
            assertFalse(returned, "Helidon's decoder returned: HpackRewriter need not keep oversized entries out of its table");
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Decodes one literal with indexing of 5,000 bytes against a 4 KiB table: Helidon 4.4.0 never returns. */
    static final class OversizedEntry {
        public static void main(String[] args) {
            byte[] block = new HpackBlock().indexed(3).indexed(6).indexed(4).withIndexing("x-big", "b".repeat(5000)).bytes();
            System.out.println("decoding");
            System.out.flush();
            HpackBlock.helidonDecoded(Http2Headers.DynamicTable.create(4096), block);
            System.out.println("returned");
        }
    }
}
