package io.aggregationgateway.server.grpc;

import io.aggregationgateway.server.selfmetrics.RecentRejections;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.helidon.webserver.grpc.GrpcConnectionContext;
import io.helidon.webserver.grpc.ServerContextKeys;

import java.net.SocketAddress;

/**
 * Who made a gRPC call and which method it called, for the record of refused pushes. Helidon
 * 4.4.0's {@code ServerCall} carries no remote-address attribute ({@code Grpc.TRANSPORT_ATTR_REMOTE_ADDR}),
 * so the address comes from the connection Helidon puts into the gRPC context
 * ({@code ServerContextKeys.CONNECTION_CONTEXT}). This interceptor takes both when the call starts
 * and keeps them in the context of every later callback of the call, where pushes are applied and
 * refused. Register it with {@code GrpcRouting.builder().intercept(new CallOrigin())}. The calls the
 * gateway runs itself ({@link DirectCall}) take both from {@link #context} instead.
 *
 * @see #current()
 */
public final class CallOrigin implements ServerInterceptor {
    private static final Context.Key<Origin> ORIGIN = Context.key("aggregation-gateway-call-origin");
    /** The origin of a refusal outside any call's context (a gzip message refused before its call started). */
    static final Origin UNKNOWN = new Origin(null, "gRPC");

    /**
     * @param peer  the caller's address, or null if unknown
     * @param route the full method name, e.g. {@code aggregationgateway.v1.AggregationGateway/Push}
     */
    record Origin(SocketAddress peer, String route) {
        /**
         * The caller's address as the record of refused pushes words it, {@code host:port}; worded
         * only when a push is refused, not for every call.
         */
        String client() {
            return RecentRejections.address(peer);
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Origin origin = origin(ServerContextKeys.CONNECTION_CONTEXT.get(), call.getMethodDescriptor().getFullMethodName());
        return Contexts.interceptCall(Context.current().withValue(ORIGIN, origin), call, headers, next);
    }

    /**
     * The context of a call the gateway runs itself, what Helidon and this interceptor together put
     * in the context of its callbacks: its connection ({@code ServerContextKeys.CONNECTION_CONTEXT}) and its origin.
     *
     * @param route the full method name
     */
    static Context context(GrpcConnectionContext connection, String route) {
        return Context.ROOT.withValues(ServerContextKeys.CONNECTION_CONTEXT, connection, ORIGIN, origin(connection, route));
    }

    private static Origin origin(GrpcConnectionContext connection, String route) {
        return new Origin(connection == null ? null : connection.remotePeer().address(), route);
    }

    /** The origin of the call this thread is serving, or {@link #UNKNOWN}. */
    static Origin current() {
        Origin origin = ORIGIN.get();
        return origin == null ? UNKNOWN : origin;
    }
}
