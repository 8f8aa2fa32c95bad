package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderValues;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2Exception;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2HuffmanEncoder;
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
 * The faults of Helidon's HPACK code, as Helidon 4.4.0 has them: the two of its decoder that
 * {@link HpackRewriter} works around, and the loop of its table that {@link GrpcStatusMessage}
 * keeps {@code grpc-message} out of. When one of these tests fails, Helidon has fixed that fault:
 * drop the matching workaround (and the test).
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
        assertNeverReturns(OversizedEntry.class, "decoding",
                "Helidon's decoder returned: HpackRewriter need not keep oversized entries out of its table");
    }

    /**
     * The same loop on the writing side: Helidon indexes every header it writes that is not marked
     * changing, so {@link GrpcStatusMessage} marks {@code grpc-message} changing (never indexed).
     */
    @Test
    void helidonStillLoopsWritingAnIndexedHeaderLargerThanItsTable() throws Exception {
        assertNeverReturns(OversizedWrite.class, "encoding",
                "Helidon's encoder returned: GrpcStatusMessage need not keep grpc-message out of its table");
    }

    /**
     * Runs {@code main} in a process of its own (the loop never ends, and a thread cannot be stopped),
     * which prints {@code started} just before the call that must not return.
     */
    private static void assertNeverReturns(Class<?> main, String started, String failure) throws Exception {
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), main.getName())
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
            // it says when it starts, so a slow JVM start does not pass for the loop
            assertEquals(started, firstLine.get(60, TimeUnit.SECONDS));
            boolean returned = process.waitFor(3, TimeUnit.SECONDS);
            assertFalse(returned, failure);
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

    /** Writes a trailer with a 5,000-byte grpc-message, as Helidon's gRPC handler words it, with a 4 KiB table. */
    static final class OversizedWrite {
        public static void main(String[] args) {
            WritableHeaders<?> trailers = WritableHeaders.create();
            trailers.set(HeaderValues.create("grpc-message", "m".repeat(5000)));
            Http2Headers headers = Http2Headers.create(trailers);
            System.out.println("encoding");
            System.out.flush();
            headers.write(Http2Headers.DynamicTable.create(4096), Http2HuffmanEncoder.create(), BufferData.growing(8192));
            System.out.println("returned");
        }
    }
}
