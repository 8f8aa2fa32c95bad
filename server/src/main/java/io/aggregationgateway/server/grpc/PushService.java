package io.aggregationgateway.server.grpc;

import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushResponse;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.PushResult;
import io.aggregationgateway.server.ingest.ProtobufDecoder;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.selfmetrics.GatewayMetrics;
import io.grpc.BindableService;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The {@code aggregationgateway.v1.AggregationGateway} gRPC service: {@code Push} applies one
 * request atomically; {@code PushStream} applies each message atomically on its own and ends
 * the call at the first invalid one (messages before it stay applied).
 *
 * <p>Request messages reach the methods as their encoded bytes ({@link EncodedMessage}), not as a
 * parsed {@code PushRequest}: the size check needs no walk over a parsed tree, a message that is
 * not protobuf gets {@code INVALID_ARGUMENT} (Helidon's own parse failure cancels the call without
 * a status), and {@link ProtobufDecoder#decodePushRequest} reads the bytes directly. {@link GrpcServices}
 * registers it.
 */
public final class PushService implements BindableService {
    private static final Logger REJECTIONS = Logger.getLogger("io.aggregationgateway.server.rejections");
    private static final String FORMAT = "grpc";

    private final Aggregator aggregator;
    private final GatewayMetrics metrics;
    private final ProtobufDecoder decoder;
    private final int maxMessageBytes;

    /** @param maxMessageBytes largest request message accepted; larger ones get RESOURCE_EXHAUSTED */
    public PushService(Aggregator aggregator, GatewayMetrics metrics, int maxMessageBytes) {
        this.aggregator = aggregator;
        this.decoder = new ProtobufDecoder(aggregator.settings().maxLabelsPerSeries(), true);
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public ServerServiceDefinition bindService() {
        // the generated descriptors with the request marshaller swapped: same names and method types
        MethodDescriptor.Marshaller<PushResponse> replies = ProtoUtils.marshaller(PushResponse.getDefaultInstance());
        MethodDescriptor<byte[], PushResponse> push = AggregationGatewayGrpc.getPushMethod()
                .toBuilder(EncodedMessage.INSTANCE, replies).build();
        MethodDescriptor<byte[], PushResponse> pushStream = AggregationGatewayGrpc.getPushStreamMethod()
                .toBuilder(EncodedMessage.INSTANCE, replies).build();
        // with the generated schema descriptor: server reflection describes the service from it
        ServiceDescriptor service = ServiceDescriptor.newBuilder(AggregationGatewayGrpc.SERVICE_NAME)
                .setSchemaDescriptor(AggregationGatewayGrpc.getServiceDescriptor().getSchemaDescriptor())
                .addMethod(push)
                .addMethod(pushStream)
                .build();
        return ServerServiceDefinition.builder(service)
                .addMethod(push, ServerCalls.asyncUnaryCall(this::push))
                .addMethod(pushStream, ServerCalls.asyncClientStreamingCall(this::pushStream))
                .build();
    }

    private void push(byte[] request, StreamObserver<PushResponse> responses) {
        try {
            PushResult result = apply(request);
            responses.onNext(PushResponse.newBuilder().setFamilies(result.families()).setSeries(result.series()).build());
            responses.onCompleted();
        } catch (PushRejectedException e) {
            responses.onError(statusOf(e).asRuntimeException());
        }
    }

    private StreamObserver<byte[]> pushStream(StreamObserver<PushResponse> responses) {
        return new StreamObserver<>() {
            private long families;
            private long series;
            private boolean failed;

            @Override
            public void onNext(byte[] request) {
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

    private PushResult apply(byte[] message) throws PushRejectedException {
        int size = message.length;
        try {
            if (size > maxMessageBytes) {
                throw new PushRejectedException(RejectionReason.TOO_LARGE,
                        "request message of " + size + " bytes exceeds the maximum gRPC message size of "
                                + maxMessageBytes + " bytes");
            }
            PushResult result = aggregator.push(decoder.decodePushRequest(message));
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

    private Status statusOf(PushRejectedException e) {
        metrics.recentRejections().record(CallOrigin.current().client(), CallOrigin.current().route(), FORMAT, e);
        REJECTIONS.info(() -> "rejected gRPC push (" + e.reason().name().toLowerCase(Locale.ROOT) + "): " + e.getMessage());
        return status(e.reason(), e.getMessage());
    }

    /** The status a refusal for {@code reason} ends a call with. */
    static Status status(RejectionReason reason, String message) {
        Status status = switch (reason) {
            case TOO_LARGE, LIMIT_EXCEEDED -> Status.RESOURCE_EXHAUSTED;
            default -> Status.INVALID_ARGUMENT;
        };
        return status.withDescription(message);
    }

    /**
     * Passes a request message through as its bytes. Helidon hands over each message as a stream
     * that knows its length ({@code KnownLength}) and, in 4.4.0, throws instead of returning -1
     * when read at its end, so exactly {@code available()} bytes are read.
     */
    static final class EncodedMessage implements MethodDescriptor.Marshaller<byte[]> {
        static final EncodedMessage INSTANCE = new EncodedMessage();

        private EncodedMessage() {
        }

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            byte[] whole = stream instanceof DirectCall.MessageStream message ? message.unread() : null;
            if (whole != null) {
                return whole; // a push call's message, in an array of its own already
            }
            try {
                if (!(stream instanceof KnownLength)) {
                    return stream.readAllBytes();
                }
                byte[] bytes = new byte[stream.available()];
                for (int read = 0; read < bytes.length; ) {
                    int n = stream.read(bytes, read, bytes.length - read);
                    if (n <= 0) { // Helidon's stream answers 0, not -1, at its end
                        throw new IOException("request message ended after " + read + " of " + bytes.length + " bytes");
                    }
                    read += n;
                }
                return bytes;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
