package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which socket writes a {@link CorkingDataWriter} makes, and in which order. */
class CorkingDataWriterTest {
    /** Every socket write, as the text of its bytes. */
    private final List<String> socketWrites = new CopyOnWriteArrayList<>();
    private final CorkingDataWriter writer = new CorkingDataWriter(new DataWriter() {
        @Override
        public void write(BufferData... buffers) {
            write(BufferData.create(buffers));
        }

        @Override
        public void write(BufferData buffer) {
            writeNow(buffer);
        }

        @Override
        public void writeNow(BufferData... buffers) {
            writeNow(BufferData.create(buffers));
        }

        @Override
        public void writeNow(BufferData buffer) {
            byte[] bytes = new byte[buffer.available()];
            buffer.read(bytes);
            socketWrites.add(new String(bytes, StandardCharsets.US_ASCII));
        }
    });

    private static BufferData frame(String text) {
        return BufferData.create(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void uncorkedFramesGoOutOneByOne() {
        writer.writeNow(frame("SETTINGS;"));
        writer.writeNow(frame("PING;"));
        assertEquals(List.of("SETTINGS;", "PING;"), socketWrites);
    }

    @Test
    void aCorkedThreadsFramesGoOutInOneWriteWhenItEnds() {
        writer.corked(() -> {
            writer.writeNow(frame("HEADERS;"));
            writer.writeNow(frame("DATA;"));
            writer.writeNow(frame("TRAILERS;"));
            assertEquals(List.of(), socketWrites, "held while corked");
        });
        assertEquals(List.of("HEADERS;DATA;TRAILERS;"), socketWrites);
    }

    @Test
    void anotherThreadsWriteSendsWhatIsHeldFirstAndIsNotHeldItself() throws InterruptedException {
        writer.corked(() -> {
            writer.writeNow(frame("HEADERS 1;"));
            Thread other = Thread.ofVirtual().start(() -> writer.writeNow(frame("HEADERS 3;")));
            join(other);
            assertEquals(List.of("HEADERS 1;HEADERS 3;"), socketWrites, "in the order written, at once");
            writer.writeNow(frame("TRAILERS 1;"));
        });
        assertEquals(List.of("HEADERS 1;HEADERS 3;", "TRAILERS 1;"), socketWrites);
    }

    @Test
    void aSecondThreadCorkingMeanwhileRunsUncorked() throws InterruptedException {
        CountDownLatch written = new CountDownLatch(1);
        writer.corked(() -> {
            writer.writeNow(frame("A;"));
            Thread other = Thread.ofVirtual().start(() -> writer.corked(() -> {
                writer.writeNow(frame("B;"));
                written.countDown();
            }));
            await(written);
            assertEquals(List.of("A;B;"), socketWrites);
            join(other);
        });
        assertEquals(List.of("A;B;"), socketWrites, "nothing was left to send");
    }

    @Test
    void whatIsHeldGoesOutWhenTheCorkedWorkFails() {
        assertThrows(IllegalStateException.class, () -> writer.corked(() -> {
            writer.writeNow(frame("HEADERS;"));
            throw new IllegalStateException("handler failed");
        }));
        assertEquals(List.of("HEADERS;"), socketWrites);
        writer.writeNow(frame("PING;"));
        assertEquals(List.of("HEADERS;", "PING;"), socketWrites, "and the writer is uncorked");
    }

    private static void join(Thread thread) {
        try {
            assertTrue(thread.join(java.time.Duration.ofSeconds(10)), "the other thread finished");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
