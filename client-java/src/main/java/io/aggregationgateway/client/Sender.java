package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.MetricFamily;

import java.util.List;

/** One transport: makes single push and delete attempts. The client retries and serializes them. */
interface Sender {

    /** Makes one attempt to push {@code families} with the client's grouping labels. */
    void send(List<MetricFamily> families) throws AttemptFailure, InterruptedException;

    /** Makes one attempt to delete every series carrying the client's grouping labels. */
    void delete() throws AttemptFailure, InterruptedException;

    /** Called before a retry, after the backoff; lets a transport reconnect at once. */
    default void beforeRetry() {
    }

    /** Releases connections and threads; no attempt follows. */
    void close();
}
