package io.aggregationgateway.server.grpc;

import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.InternalServer;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.helidon.webserver.grpc.GrpcRouting;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gRPC services on the gateway's port: {@code aggregationgateway.v1.AggregationGateway}, the
 * standard health service {@code grpc.health.v1.Health} ({@code Check} and {@code Watch}: SERVING
 * while the gateway serves, for the whole server ({@code ""}) and for the push service by name;
 * NOT_SERVING once it drains), and server reflection ({@code grpc.reflection.v1} and
 * {@code v1alpha}), so that grpcurl-style tools call {@code Push} without the proto files.
 *
 * <p>Health and reflection are grpc-java's ({@code grpc-services}). Its reflection service asks the
 * grpc-java {@link Server} running the call for the services to describe, through a context key;
 * Helidon runs the calls, so {@link ServicesView} answers in its place.
 */
public final class GrpcServices {
    private static final Logger LOGGER = Logger.getLogger(GrpcServices.class.getName());

    private final HealthStatusManager health = new HealthStatusManager();
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ServerInterceptor guard;
    private final ServerServiceDefinition push;

    /**
     * @param guard runs first in every call of every service: who may call what, and how often
     *              (the gateway's security); it decides by the service's name which calls stay open
     */
    public GrpcServices(PushService pushService, ServerInterceptor guard) {
        this.guard = guard;
        health.setStatus(AggregationGatewayGrpc.SERVICE_NAME, ServingStatus.SERVING);
        this.push = pushService.bindService();
        services.add(this.push);
        services.add(health.getHealthService().bindService());
        // the view lists every service, reflection too, as grpc-java's own servers do
        ServerInterceptor describedServices = new ServicesView(Collections.unmodifiableList(services)).interceptor();
        services.add(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), describedServices));
        @SuppressWarnings("deprecation") // v1alpha: what most tools still ask first
        ServerServiceDefinition v1alpha = ServerInterceptors.intercept(ProtoReflectionService.newInstance(), describedServices);
        services.add(v1alpha);
    }

    /** The routing that serves them. */
    public GrpcRouting.Builder routing() {
        // the guard refuses a call before anything of it runs; CallOrigin keeps each call's client
        // address for the rejection log
        GrpcRouting.Builder routing = GrpcRouting.builder().intercept(guard).intercept(new CallOrigin());
        services.forEach(routing::service);
        return routing;
    }

    /**
     * The push service's methods by path ({@code /aggregationgateway.v1.AggregationGateway/Push}), behind
     * the guard, as in {@link #routing()}: the calls {@link DirectCall} runs, which puts each call's
     * origin in its context itself ({@link CallOrigin#context}).
     */
    Map<String, ServerMethodDefinition<?, ?>> directMethods() {
        Map<String, ServerMethodDefinition<?, ?>> methods = new HashMap<>();
        for (ServerMethodDefinition<?, ?> method : ServerInterceptors.interceptForward(push, guard).getMethods()) {
            methods.put("/" + method.getMethodDescriptor().getFullMethodName(), method);
        }
        return methods;
    }

    /** Health answers NOT_SERVING from now on (watchers are told at once), and stays so; once is enough. */
    public void draining() {
        if (draining.getAndSet(true)) {
            return; // grpc-java logs a warning with a stack trace for a second terminal state
        }
        try {
            health.enterTerminalState();
        } catch (RuntimeException e) { // a watcher whose connection failed just now; the others are told
            LOGGER.log(Level.FINE, "telling a health watcher the gateway drains failed", e);
        }
    }

    /**
     * The gateway's services as grpc-java's reflection service looks for them: a {@link Server} in
     * the call's context that lists them. It runs nothing; Helidon does.
     */
    private static final class ServicesView extends Server {
        private final List<ServerServiceDefinition> described;

        ServicesView(List<ServerServiceDefinition> described) {
            this.described = described;
        }

        ServerInterceptor interceptor() {
            Context context = Context.ROOT.withValue(InternalServer.SERVER_CONTEXT_KEY, this);
            return new ServerInterceptor() {
                @Override
                public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                                 ServerCallHandler<Q, R> next) {
                    return Contexts.interceptCall(context, call, headers, next);
                }
            };
        }

        @Override
        public List<ServerServiceDefinition> getServices() {
            return described;
        }

        @Override
        public List<ServerServiceDefinition> getImmutableServices() {
            return described;
        }

        @Override
        public List<ServerServiceDefinition> getMutableServices() {
            return List.of();
        }

        @Override
        public Server start() {
            throw new UnsupportedOperationException("a view of the gateway's services; Helidon serves them");
        }

        @Override
        public Server shutdown() {
            throw new UnsupportedOperationException("a view of the gateway's services; Helidon serves them");
        }

        @Override
        public Server shutdownNow() {
            throw new UnsupportedOperationException("a view of the gateway's services; Helidon serves them");
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException("a view of the gateway's services; Helidon serves them");
        }

        @Override
        public void awaitTermination() {
            throw new UnsupportedOperationException("a view of the gateway's services; Helidon serves them");
        }
    }
}
