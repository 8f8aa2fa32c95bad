package io.aggregationgateway.server.grpc;

import com.google.protobuf.Descriptors;
import io.aggregationgateway.proto.v1.GatewayProto;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.proto.v1.PushResponse;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.PushResult;
import io.aggregationgateway.server.ingest.ProtobufDecoder;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.selfmetrics.GatewayMetrics;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.helidon.webserver.grpc.GrpcService;

import java.util.Locale;
import java.util.logging.Logger;

/**
 * The {@code aggregationgateway.v1.AggregationGateway} gRPC service: {@code Push} applies one
 * request atomically; {@code PushStream} applies each message atomically on its own and ends
 * the call at the first invalid one (messages before it stay applied).
 */
public final class PushService implements GrpcService {
    private static final Logger REJECTIONS = Logger.getLogger("io.aggregationgateway.server.rejections");
    private static final String FORMAT = "grpc";

    private final Aggregator aggregator;
    private final GatewayMetrics metrics;
    private final ProtobufDecoder decoder = new ProtobufDecoder();
    private final int maxMessageBytes;

    /** @param maxMessageBytes largest request message accepted; larger ones get RESOURCE_EXHAUSTED */
    public PushService(Aggregator aggregator, GatewayMetrics metrics, int maxMessageBytes) {
        this.aggregator = aggregator;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public Descriptors.FileDescriptor proto() {
        return GatewayProto.getDescriptor();
    }

    @Override
    public String serviceName() {
        return "AggregationGateway"; // must match the service name in gateway.proto
    }

    @Override
    public void update(Routing routing) {
        routing.unary("Push", this::push)
                .clientStream("PushStream", this::pushStream);
    }

    private void push(PushRequest request, StreamObserver<PushResponse> responses) {
        try {
            PushResult result = apply(request);
            responses.onNext(PushResponse.newBuilder().setFamilies(result.families()).setSeries(result.series()).build());
            responses.onCompleted();
        } catch (PushRejectedException e) {
            responses.onError(statusOf(e).asRuntimeException());
        }
    }

    private StreamObserver<PushRequest> pushStream(StreamObserver<PushResponse> responses) {
        return new StreamObserver<>() {
            private long families;
            private long series;
            private boolean failed;

            @Override
            public void onNext(PushRequest request) {
                if (failed) {
                    return; // the call already ended with an error; ignore what the client still sends
                }
                try {
                    PushResult result = apply(request);
                    families += result.families();
                    series += result.series();
                } catch (PushRejectedException e) {
                    failed = true;
                    responses.onError(statusOf(e).asRuntimeException());
                }
            }

            @Override
            public void onError(Throwable t) {
                failed = true; // the client went away; what it sent before stays applied
            }

            @Override
            public void onCompleted() {
                if (!failed) {
                    responses.onNext(PushResponse.newBuilder().setFamilies(families).setSeries(series).build());
                    responses.onCompleted();
                }
            }
        };
    }

    private PushResult apply(PushRequest request) throws PushRejectedException {
        int size = request.getSerializedSize();
        try {
            if (size > maxMessageBytes) {
                throw new PushRejectedException(RejectionReason.TOO_LARGE,
                        "request message of " + size + " bytes exceeds the maximum gRPC message size of "
                                + maxMessageBytes + " bytes");
            }
            Labels.Builder grouping = new Labels.Builder();
            request.getGroupingLabelsMap().forEach(grouping::add);
            PushResult result = aggregator.push(new Push(grouping.build(), decoder.convert(request.getFamiliesList())));
            metrics.recordPush(FORMAT, size, null);
            return result;
        } catch (PushRejectedException e) {
            metrics.recordPush(FORMAT, size, e.reason());
            throw e;
        }
    }

    /**
     * Counts and logs a request message refused before it could be parsed (too large, not valid
     * gzip), and returns the status to end the call with, as {@link #apply}'s refusals get.
     *
     * @param bytes bytes received or decoded for the message
     */
    Status refuse(RejectionReason reason, String message, long bytes) {
        PushRejectedException e = new PushRejectedException(reason, message);
        metrics.recordPush(FORMAT, bytes, reason);
        return statusOf(e);
    }

    int maxMessageBytes() {
        return maxMessageBytes;
    }

    private static Status statusOf(PushRejectedException e) {
        REJECTIONS.info(() -> "rejected gRPC push (" + e.reason().name().toLowerCase(Locale.ROOT) + "): " + e.getMessage());
        Status status = switch (e.reason()) {
            case TOO_LARGE, LIMIT_EXCEEDED -> Status.RESOURCE_EXHAUSTED;
            default -> Status.INVALID_ARGUMENT;
        };
        return status.withDescription(e.getMessage());
    }
}
