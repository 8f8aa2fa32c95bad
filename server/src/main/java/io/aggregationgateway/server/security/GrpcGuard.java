package io.aggregationgateway.server.security;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.helidon.webserver.grpc.GrpcConnectionContext;
import io.helidon.webserver.grpc.ServerContextKeys;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The gRPC side of {@link HttpGuard}: calls to the gateway's push service need the push role
 * (credentials in the {@code authorization} metadata, as HTTP basic authentication), the health
 * service stays open for probes, any other service (reflection) needs the read role. A call
 * without the role ends with {@code UNAUTHENTICATED} or {@code PERMISSION_DENIED} before any
 * message is read. Each pushed message takes a token of its client's rate limit; one finding none
 * ends the call with {@code RESOURCE_EXHAUSTED} and is not applied (in a {@code PushStream}, the
 * messages before it stay applied, as with any refused message).
 */
final class GrpcGuard implements ServerInterceptor {
    static final String PUSH_SERVICE = "aggregationgateway.v1.AggregationGateway";
    static final String HEALTH_SERVICE = "grpc.health.v1.Health";
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> X_FORWARDED_FOR = Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> WWW_AUTHENTICATE = Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);

    private final Security security;
    private final RefusedPushes refused;

    GrpcGuard(Security security, RefusedPushes refused) {
        this.security = security;
        this.refused = refused;
    }

    static Role roleOf(String serviceName) {
        if (PUSH_SERVICE.equals(serviceName)) {
            return Role.PUSH;
        }
        return HEALTH_SERVICE.equals(serviceName) ? null : Role.READ;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Role role = roleOf(call.getMethodDescriptor().getServiceName());
        SocketAddress peer = peer();
        Verdict verdict = security.active().authorizer().check(role, headers.get(AUTHORIZATION));
        switch (verdict) {
            case Verdict.Allowed allowed -> {
            }
            case Verdict.Unauthenticated unauthenticated -> {
                Metadata trailers = new Metadata();
                trailers.put(WWW_AUTHENTICATE, HttpGuard.REALM);
                report(call, peer, role, RefusedPushes.Why.UNAUTHENTICATED, unauthenticated.why());
                return refuse(call, Status.UNAUTHENTICATED.withDescription(unauthenticated.why()), trailers);
            }
            case Verdict.Forbidden forbidden -> {
                report(call, peer, role, RefusedPushes.Why.FORBIDDEN, forbidden.why());
                return refuse(call, Status.PERMISSION_DENIED.withDescription(forbidden.why()), new Metadata());
            }
            case Verdict.Throttled throttled -> throw new IllegalStateException("not a verdict of the authorizer");
        }
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        if (role != Role.PUSH || !security.limitsPushes()) {
            return listener;
        }
        String client = client(peer, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean throttledOnce;

            @Override
            public void onMessage(Q message) {
                if (throttledOnce) {
                    return;
                }
                if (security.throttle(client) instanceof Verdict.Throttled throttled) {
                    throttledOnce = true;
                    report(call, peer, role, RefusedPushes.Why.RATE_LIMITED, throttled.why());
                    call.close(Status.RESOURCE_EXHAUSTED.withDescription(throttled.why()), new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!throttledOnce) {
                    super.onHalfClose();
                }
            }
        };
    }

    private String client(SocketAddress peerAddress, Metadata headers) {
        if (!(peerAddress instanceof InetSocketAddress peer)) {
            return "unknown";
        }
        Iterable<String> forwarded = security.readsForwardedFor() ? headers.getAll(X_FORWARDED_FOR) : null;
        List<String> hops = new ArrayList<>();
        if (forwarded != null) {
            forwarded.forEach(hops::add);
        }
        return security.client(peer.getAddress(), hops);
    }

    /** Reports a refused call of the push service; the health and read services push nothing. */
    private void report(ServerCall<?, ?> call, SocketAddress peer, Role role, RefusedPushes.Why why, String message) {
        if (role == Role.PUSH) {
            refused.refused(new RefusedPushes.Refusal(peer, call.getMethodDescriptor().getFullMethodName(), true, null, why, message));
        }
    }

    /** The caller's address, from the connection Helidon puts in the context where the call starts. */
    private static SocketAddress peer() {
        GrpcConnectionContext connection = ServerContextKeys.CONNECTION_CONTEXT.get();
        return connection == null ? null : connection.remotePeer().address();
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status, Metadata trailers) {
        return new Refusal<>(call, status, trailers);
    }

    /**
     * A call refused before it started: closed with its status at the first thing that happens to
     * it, which on Helidon is {@code onReady} right after {@code startCall} returned; nothing of it
     * reaches the service.
     *
     * <p>Why not close it in {@code interceptCall}, as grpc-java allows: Helidon 4.4.0's
     * {@code ServerCall.close} ends by telling the call's listener ({@code onComplete}), and the
     * listener is only known once {@code startCall} has returned, so a call closed inside it threw
     * a {@code NullPointerException} that Helidon logged as SEVERE with its stack trace: one per
     * refused call, a log flood for any anonymous client. The client got its status either way.
     */
    private static final class Refusal<Q, R> extends ServerCall.Listener<Q> {
        private final ServerCall<Q, R> call;
        private final Status status;
        private final Metadata trailers;
        private boolean ended;

        Refusal(ServerCall<Q, R> call, Status status, Metadata trailers) {
            this.call = call;
            this.status = status;
            this.trailers = trailers;
        }

        private void end() {
            if (!ended) {
                ended = true;
                call.close(status, trailers);
            }
        }

        @Override
        public void onReady() {
            end();
        }

        @Override
        public void onMessage(Q message) {
            end(); // never passed on
        }

        @Override
        public void onHalfClose() {
            end();
        }

        @Override
        public void onCancel() {
            ended = true; // the client went away: nobody to tell
        }
    }
}
