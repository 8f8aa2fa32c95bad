package io.aggregationgateway.client;

import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.proto.v1.PushResponse;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the gateway's gRPC {@code Push}: fails with the scripted codes in turn (the last
 * one for ever; OK is success), and records requests and their metadata.
 */
final class ScriptedGrpcGateway implements AutoCloseable {
    final AtomicInteger calls = new AtomicInteger();
    final Map<String, String> lastMetadata = new ConcurrentHashMap<>();
    final List<PushRequest> requests = new CopyOnWriteArrayList<>();
    private final Server server;

    ScriptedGrpcGateway(Status.Code... codes) throws IOException {
        this(InsecureServerCredentials.create(), codes);
    }

    ScriptedGrpcGateway(ServerCredentials credentials, Status.Code... codes) throws IOException {
        AggregationGatewayGrpc.AggregationGatewayImplBase service = new AggregationGatewayGrpc.AggregationGatewayImplBase() {
            @Override
            public void push(PushRequest request, StreamObserver<PushResponse> responses) {
                int n = calls.getAndIncrement();
                requests.add(request);
                Status.Code code = codes[Math.min(n, codes.length - 1)];
                if (code == Status.Code.OK) {
                    responses.onNext(PushResponse.newBuilder().setFamilies(request.getFamiliesCount()).build());
                    responses.onCompleted();
                } else {
                    responses.onError(Status.fromCode(code).withDescription("scripted " + code).asRuntimeException());
                }
            }
        };
        ServerInterceptor recordMetadata = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                for (String key : headers.keys()) {
                    if (!key.endsWith("-bin")) {
                        lastMetadata.put(key, headers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)));
                    }
                }
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
                .addService(ServerInterceptors.intercept(service, recordMetadata))
                .build().start();
    }

    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
