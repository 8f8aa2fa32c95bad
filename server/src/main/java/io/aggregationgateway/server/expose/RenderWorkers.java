package io.aggregationgateway.server.expose;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Threads that help scrapes render: a million series take a quarter of a second of one core, so
 * a scrape cuts its families into slices and renders them on these threads and its own at once
 * (see {@link OrderedSliceWriter}). A fixed pool, so that concurrent scrapes share the same few
 * threads rather than each taking every core; a scrape never waits for a busy pool, it renders
 * what no helper has picked up itself.
 */
public final class RenderWorkers implements AutoCloseable {
    /** No helpers: the scrape's own thread renders everything. */
    public static final RenderWorkers NONE = new RenderWorkers(null, 0);

    private final ExecutorService pool;
    private final int threads;

    private RenderWorkers(ExecutorService pool, int threads) {
        this.pool = pool;
        this.threads = threads;
    }

    /** A pool of {@code threads} daemon threads; none at all for 0. */
    public static RenderWorkers start(int threads) {
        if (threads <= 0) {
            return NONE;
        }
        return new RenderWorkers(Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().name("scrape-render-", 0).daemon().factory()), threads);
    }

    /**
     * One writer per scrape. It keeps at most two slices per rendering thread (the helpers and the
     * scrape's own) rendered or in progress: enough to keep every thread busy while the scrape's
     * thread writes, and a bound of a few megabytes per scrape however large the store is.
     */
    OrderedSliceWriter writer() {
        return new OrderedSliceWriter(pool, 2 * (threads + 1));
    }

    /**
     * The helpers as an executor for other work of a scrape (such as reading the values it shows),
     * or {@code null} when there are none. Whoever hands them work runs what no helper has started
     * itself, as a scrape's rendering does.
     */
    public Executor executor() {
        return pool;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
