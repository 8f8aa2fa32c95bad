package io.aggregationgateway.server.expose;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
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
 * <p>The calling thread renders the oldest slice itself when no helper has started it, so a scrape
 * progresses even when every helper is busy with other scrapes, or when there are no helpers.
 */
final class OrderedSliceWriter {
    private final Executor helpers;
    private final int window;

    /** @param helpers where to offer slices, or {@code null} to render all on the calling thread */
    OrderedSliceWriter(Executor helpers, int window) {
        this.helpers = helpers;
        this.window = Math.max(1, window);
    }

    void write(List<FamilySlice> slices, SliceRenderer renderer, OutputStream out) throws IOException {
        ConcurrentLinkedQueue<ByteSink> spareSinks = new ConcurrentLinkedQueue<>();
        ArrayDeque<FutureTask<ByteSink>> inFlight = new ArrayDeque<>(window);
        int next = 0;
        try {
            while (next < slices.size() && inFlight.size() < window) {
                inFlight.add(offer(slices.get(next++), renderer, spareSinks));
            }
            while (!inFlight.isEmpty()) {
                FutureTask<ByteSink> oldest = inFlight.poll();
                oldest.run(); // a no-op if a helper has started it
                ByteSink rendered = await(oldest);
                rendered.writeTo(out);
                spareSinks.add(rendered);
                if (next < slices.size()) {
                    inFlight.add(offer(slices.get(next++), renderer, spareSinks));
                }
            }
        } finally {
            // the client went away or rendering failed: helpers skip what nobody will write
            for (FutureTask<ByteSink> abandoned : inFlight) {
                abandoned.cancel(false);
            }
        }
    }

    private FutureTask<ByteSink> offer(FamilySlice slice, SliceRenderer renderer, ConcurrentLinkedQueue<ByteSink> spareSinks) {
        FutureTask<ByteSink> task = new FutureTask<>(() -> {
            ByteSink sink = spareSinks.poll();
            sink = sink == null ? new ByteSink() : sink.clear();
            renderer.render(slice, sink);
            return sink;
        });
        if (helpers != null) {
            try {
                helpers.execute(task);
            } catch (RejectedExecutionException shuttingDown) {
                // the calling thread renders it when its turn comes
            }
        }
        return task;
    }

    private static ByteSink await(FutureTask<ByteSink> task) throws IOException {
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
