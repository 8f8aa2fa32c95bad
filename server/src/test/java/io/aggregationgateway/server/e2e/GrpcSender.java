package io.aggregationgateway.server.e2e;

import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.proto.v1.PushResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A grpc-java client of the gateway's push API (grpc-java keeps status descriptions, Helidon's client drops them). */
final class GrpcSender implements AutoCloseable {
    private final ManagedChannel channel;

    GrpcSender(int gatewayPort) {
        this(gatewayPort, Map.of());
    }

    /** @param metadata headers sent with every call, e.g. the one a balancer hashes on */
    GrpcSender(int gatewayPort, Map<String, String> metadata) {
        Metadata headers = new Metadata();
        metadata.forEach((name, value) -> headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", gatewayPort).usePlaintext()
                .intercept(MetadataUtils.newAttachHeadersInterceptor(headers)).build();
    }

    PushResponse push(Map<String, String> groupingLabels, MetricFamily... families) {
        PushRequest request = PushRequest.newBuilder().putAllGroupingLabels(groupingLabels)
                .addAllFamilies(List.of(families)).build();
        return AggregationGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).push(request);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
