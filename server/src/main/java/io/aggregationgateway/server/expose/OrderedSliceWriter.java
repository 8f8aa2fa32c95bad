package io.aggregationgateway.server.expose;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * Renders the slices of one scrape on helper threads and on the calling thread at once, and
 * writes each to the response as soon as it and all before it are done, so the response streams
 * while later slices are still being rendered. At most {@code window} slices are rendered or in
 * progress at a time; their buffers are reused for later slices.
 *
 * <p>The calling thread renders the slices no helper has started while it waits for the oldest
 * (the oldest first), so a scrape progresses even when every helper is busy with other scrapes,
 * or when there are no helpers, and with idle helpers the rendering is shared.
 */
final class OrderedSliceWriter {
    private final Executor helpers;
    private final int window;

    /** @param helpers where to offer slices, or {@code null} to render all on the calling thread */
    OrderedSliceWriter(Executor helpers, int window) {
        this.helpers = helpers;
        this.window = Math.max(1, window);
    }

    /** Renders the slices into buffers of {@code buffers}' kind and writes them to {@code out} in order. */
    <B> void write(List<FamilySlice> slices, SliceBuffers<B> buffers, SliceRenderer<B> renderer, OutputStream out)
            throws IOException {
        ConcurrentLinkedQueue<B> spareBuffers = new ConcurrentLinkedQueue<>();
        ArrayDeque<FutureTask<B>> inFlight = new ArrayDeque<>(window);
        int next = 0;
        try {
            while (next < slices.size() && inFlight.size() < window) {
                inFlight.add(offer(slices.get(next++), buffers, renderer, spareBuffers));
            }
            while (!inFlight.isEmpty()) {
                FutureTask<B> oldest = inFlight.peek();
                renderUntilDone(oldest, inFlight);
                inFlight.poll();
                B rendered = await(oldest);
                buffers.writeTo(rendered, out);
                spareBuffers.add(rendered);
                if (next < slices.size()) {
                    inFlight.add(offer(slices.get(next++), buffers, renderer, spareBuffers));
                }
            }
        } finally {
            // the client went away or rendering failed: helpers skip what nobody will write
            for (FutureTask<B> abandoned : inFlight) {
                abandoned.cancel(false);
            }
        }
    }

    /**
     * Renders slices of the window that no helper has started, in order, until {@code oldest} is
     * done or none is left to start. Waiting for a helper's slice instead left the calling thread
     * only writing: a helper takes the slices in the order they are offered, so it always held the
     * oldest one, and a million series rendered on one thread at a time.
     */
    private static <B> void renderUntilDone(FutureTask<B> oldest, ArrayDeque<FutureTask<B>> inFlight) {
        for (FutureTask<B> task : inFlight) {
            if (oldest.isDone()) {
                return;
            }
            task.run(); // a no-op if a helper has started it
        }
    }

    private <B> FutureTask<B> offer(FamilySlice slice, SliceBuffers<B> buffers, SliceRenderer<B> renderer,
                                    ConcurrentLinkedQueue<B> spareBuffers) {
        FutureTask<B> task = new FutureTask<>(() -> {
            B buffer = spareBuffers.poll();
            if (buffer == null) {
                buffer = buffers.create();
            } else {
                buffers.clear(buffer);
            }
            renderer.render(slice, buffer);
            return buffer;
        });
        offer(task);
        return task;
    }

    /**
     * Runs every task on the helpers and the calling thread at once and returns when all are done:
     * work a scrape needs before it can write, such as the sizes protobuf writes ahead of a family.
     */
    void runAll(List<? extends Runnable> work) throws IOException {
        List<FutureTask<Void>> tasks = new ArrayList<>(work.size());
        for (Runnable runnable : work) {
            FutureTask<Void> task = new FutureTask<>(runnable, null);
            tasks.add(task);
            offer(task);
        }
        try {
            for (FutureTask<Void> task : tasks) {
                task.run(); // a no-op if a helper has started it
            }
            for (FutureTask<Void> task : tasks) {
                await(task);
            }
        } finally {
            for (FutureTask<Void> task : tasks) {
                task.cancel(false);
            }
        }
    }

    private void offer(Runnable task) {
        if (helpers != null) {
            try {
                helpers.execute(task);
            } catch (RejectedExecutionException shuttingDown) {
                // the calling thread runs it when its turn comes
            }
        }
    }

    private static <B> B await(FutureTask<B> task) throws IOException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while rendering a scrape");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            switch (cause) {
                case IOException io -> throw io;
                case RuntimeException runtime -> throw runtime;
                case Error error -> throw error;
                default -> throw new IllegalStateException(cause);
            }
        }
    }
}
