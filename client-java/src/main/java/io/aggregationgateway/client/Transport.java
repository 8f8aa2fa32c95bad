package io.aggregationgateway.client;

/** How a {@link PushClient} sends its pushes to the gateway. */
public enum Transport {
    /**
     * The gateway's gRPC {@code Push} call (HTTP/2, on the gateway's one port). The default: the
     * request is typed, a rejected push comes back as {@code INVALID_ARGUMENT} with the reason,
     * and the connection is kept open between pushes.
     */
    GRPC,
    /**
     * {@code POST /metrics/job/...} with a body of length-delimited {@code MetricFamily} protobuf
     * messages, the push format of the Go and Java Prometheus clients. For networks that pass
     * HTTP/1.1 only.
     */
    HTTP_PROTOBUF,
    /**
     * {@code POST /metrics/job/...} with a Prometheus text format 0.0.4 body, written by
     * simpleclient_common's {@code TextFormat}: add {@code io.prometheus:simpleclient_common}
     * (0.16.0) to use it; building a client without it fails. Readable on the wire; that format
     * has no gauge histograms (they are sent as histograms) and no native histogram buckets (only
     * their count and sum are sent), and a counter {@code x} is sent as {@code x_total}.
     */
    HTTP_TEXT
}
