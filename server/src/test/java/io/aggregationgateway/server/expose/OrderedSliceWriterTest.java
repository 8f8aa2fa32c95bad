package io.aggregationgateway.server.expose;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderedSliceWriterTest {
    /** Buffers that hold what a slice rendered as text. */
    private static final SliceBuffers<StringBuilder> TEXT = new SliceBuffers<>() {
        @Override
        public StringBuilder create() {
            return new StringBuilder();
        }

        @Override
        public void clear(StringBuilder buffer) {
            buffer.setLength(0);
        }

        @Override
        public void writeTo(StringBuilder buffer, OutputStream out) throws IOException {
            out.write(buffer.toString().getBytes(StandardCharsets.UTF_8));
        }
    };

    private static List<FamilySlice> slices(int count) {
        List<FamilySlice> slices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            slices.add(new FamilySlice(null, i, i + 1, null));
        }
        return slices;
    }

    /**
     * While a helper renders the oldest slice, the calling thread renders the next one instead of
     * waiting: here the helper's slice 0 can only finish once slice 1 is rendered, which the
     * calling thread must do (with one helper that waited, slice 1 would wait for slice 0).
     */
    @Test
    void theCallingThreadRendersWhileAHelperHoldsTheOldest() throws Exception {
        ExecutorService helper = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch helperHoldsSliceZero = new CountDownLatch(1);
            CountDownLatch sliceOneRendered = new CountDownLatch(1);
            Map<Integer, Thread> renderedBy = new ConcurrentHashMap<>();
            boolean[] sliceOneCameInTime = new boolean[1];
            // the first slice offered is the helper's: offering it returns once the helper renders it
            boolean[] offered = new boolean[1];
            Executor helperFirst = task -> {
                helper.execute(task);
                if (!offered[0]) {
                    offered[0] = true;
                    awaitQuietly(helperHoldsSliceZero);
                }
            };
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread caller = Thread.currentThread();
            new OrderedSliceWriter(helperFirst, 4).write(slices(6), TEXT, (slice, buffer) -> {
                renderedBy.put(slice.from(), Thread.currentThread());
                if (slice.from() == 0) {
                    helperHoldsSliceZero.countDown();
                    sliceOneCameInTime[0] = awaitQuietly(sliceOneRendered);
                }
                if (slice.from() == 1) {
                    sliceOneRendered.countDown();
                }
                buffer.append(slice.from()).append(';');
            }, out);
            assertEquals("0;1;2;3;4;5;", out.toString(StandardCharsets.UTF_8));
            assertNotSame(caller, renderedBy.get(0));
            assertTrue(sliceOneCameInTime[0], "slice 1 waited for the helper's slice 0");
            assertSame(caller, renderedBy.get(1));
        } finally {
            helper.shutdownNow();
        }
    }

    private static boolean awaitQuietly(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** With no helpers the calling thread renders every slice, in order. */
    @Test
    void withoutHelpersTheCallingThreadRendersEverySliceInOrder() throws Exception {
        List<Integer> order = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread caller = Thread.currentThread();
        new OrderedSliceWriter(null, 4).write(slices(9), TEXT, (slice, buffer) -> {
            assertSame(caller, Thread.currentThread());
            order.add(slice.from());
            buffer.append(slice.from()).append(';');
        }, out);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), order);
        assertEquals("0;1;2;3;4;5;6;7;8;", out.toString(StandardCharsets.UTF_8));
    }
}
