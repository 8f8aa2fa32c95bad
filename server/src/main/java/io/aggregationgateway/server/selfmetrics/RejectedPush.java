package io.aggregationgateway.server.selfmetrics;

import io.aggregationgateway.server.model.RejectionReason;

import java.time.Instant;

/**
 * One refused push as {@link RecentRejections} keeps it; every text is cut to a bounded length.
 *
 * @param sequence which rejection this was since start, from 1
 * @param time     when it was refused
 * @param client   the sender's address, {@code host:port}, or {@link RecentRejections#UNKNOWN_CLIENT}
 * @param route    what was called: {@code POST /metrics/job/...} or the gRPC method
 * @param format   {@code text}, {@code openmetrics}, {@code protobuf} or {@code grpc}
 * @param reason   why it was refused
 * @param message  what the sender was told
 */
public record RejectedPush(long sequence, Instant time, String client, String route, String format,
                           RejectionReason reason, String message) {
}
