package io.aggregationgateway.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.server.support.RunningGateway;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The standard health service and server reflection, through the real server, with grpc-java's client. */
class HealthAndReflectionTest {
    private static final String SERVICE = AggregationGatewayGrpc.SERVICE_NAME;
    private static RunningGateway gateway;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        gateway = new RunningGateway("--self-metrics", "false");
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        gateway.close();
    }

    private static HealthGrpc.HealthBlockingStub health(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void healthIsServingForTheServerAndForThePushService() {
        assertEquals(ServingStatus.SERVING, health(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus());
        assertEquals(ServingStatus.SERVING, health(channel).check(HealthCheckRequest.newBuilder().setService(SERVICE).build())
                .getStatus());
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> health(channel).check(HealthCheckRequest.newBuilder().setService("nope.Nothing").build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        assertEquals("unknown service nope.Nothing", unknown.getStatus().getDescription());
    }

    @Test
    void aWatcherIsToldNotServingWhenTheGatewayDrains() throws Exception {
        RunningGateway draining = new RunningGateway("--self-metrics", "false");
        ManagedChannel watching = ManagedChannelBuilder.forAddress("127.0.0.1", draining.port()).usePlaintext().build();
        try {
            BlockingQueue<ServingStatus> statuses = new LinkedBlockingQueue<>();
            HealthGrpc.newStub(watching).watch(HealthCheckRequest.newBuilder().setService(SERVICE).build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(HealthCheckResponse value) {
                            statuses.add(value.getStatus());
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            assertEquals(ServingStatus.SERVING, statuses.poll(10, TimeUnit.SECONDS));
            draining.close(); // what SIGTERM does: NOT_SERVING first, then the drain
            assertEquals(ServingStatus.NOT_SERVING, statuses.poll(10, TimeUnit.SECONDS));
        } finally {
            watching.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            draining.close();
        }
    }

    /** One request on the reflection stream, v1 or v1alpha (the messages are the same on the wire). */
    private static ServerReflectionResponse reflect(String serviceName, ServerReflectionRequest request) {
        MethodDescriptor<ServerReflectionRequest, ServerReflectionResponse> method = ServerReflectionGrpc
                .getServerReflectionInfoMethod().toBuilder()
                .setFullMethodName(MethodDescriptor.generateFullMethodName(serviceName, "ServerReflectionInfo"))
                .build();
        List<ServerReflectionResponse> responses = new ArrayList<>();
        var call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        var done = new java.util.concurrent.CompletableFuture<Void>();
        StreamObserver<ServerReflectionRequest> requests = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
            @Override
            public void onNext(ServerReflectionResponse value) {
                responses.add(value);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        });
        requests.onNext(request);
        requests.onCompleted();
        done.join();
        assertEquals(1, responses.size());
        return responses.getFirst();
    }

    @Test
    void reflectionListsEveryServiceInBothVersions() {
        for (String version : List.of("grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection")) {
            ServerReflectionResponse response = reflect(version, ServerReflectionRequest.newBuilder().setListServices("").build());
            assertEquals(List.of(SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                            "grpc.reflection.v1alpha.ServerReflection"),
                    response.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).sorted()
                            .toList(), version);
        }
    }

    @Test
    void anUnknownSymbolIsNotFound() {
        ServerReflectionResponse response = reflect("grpc.reflection.v1.ServerReflection",
                ServerReflectionRequest.newBuilder().setFileContainingSymbol("nope.Nothing").build());
        assertEquals(Status.Code.NOT_FOUND.value(), response.getErrorResponse().getErrorCode());
    }

    @Test
    void aClientWithoutTheProtoFilesPushesWithWhatReflectionDescribes() throws Exception {
        gateway.aggregator.reset();
        ServerReflectionResponse response = reflect("grpc.reflection.v1alpha.ServerReflection",
                ServerReflectionRequest.newBuilder().setFileContainingSymbol(SERVICE).build());
        Map<String, FileDescriptorProto> files = new HashMap<>();
        for (ByteString file : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
            FileDescriptorProto proto = FileDescriptorProto.parseFrom(file);
            files.put(proto.getName(), proto);
        }
        assertTrue(files.keySet().containsAll(List.of("aggregationgateway/v1/gateway.proto",
                "io/prometheus/client/metrics.proto")), files.keySet().toString());
        Descriptors.FileDescriptor gatewayFile = built("aggregationgateway/v1/gateway.proto", files);
        Descriptors.MethodDescriptor push = gatewayFile.findServiceByName("AggregationGateway").findMethodByName("Push");

        DynamicMessage.Builder request = DynamicMessage.newBuilder(push.getInputType());
        JsonFormat.parser().merge("""
                {"groupingLabels": {"job": "reflected"},
                 "families": [{"name": "reflected_total", "type": "COUNTER", "metric": [{"counter": {"value": 3}}]}]}
                """, request);
        MethodDescriptor<DynamicMessage, DynamicMessage> call = MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Push"))
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(push.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(push.getOutputType())))
                .build();
        DynamicMessage reply = ClientCalls.blockingUnaryCall(channel, call,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request.build());
        assertEquals("{\n  \"families\": \"1\",\n  \"series\": \"1\"\n}", JsonFormat.printer().print(reply));
        assertEquals("# TYPE reflected_total counter\nreflected_total{job=\"reflected\"} 3\n", gateway.scrape());
    }

    private static Descriptors.FileDescriptor built(String name, Map<String, FileDescriptorProto> files)
            throws Descriptors.DescriptorValidationException {
        FileDescriptorProto proto = files.get(name);
        List<Descriptors.FileDescriptor> dependencies = new ArrayList<>();
        for (String dependency : proto.getDependencyList()) {
            dependencies.add(built(dependency, files));
        }
        return Descriptors.FileDescriptor.buildFrom(proto, dependencies.toArray(new Descriptors.FileDescriptor[0]));
    }
}
