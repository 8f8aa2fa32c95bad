package io.aggregationgateway.server.security;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Runs before every HTTP route: sets the web config's response headers and
 * {@code X-Content-Type-Options: nosniff} on every response, and turns away a request without the
 * role its route needs ({@code 401} with {@code WWW-Authenticate}, or {@code 403}) or a push over
 * its client's rate ({@code 429} with {@code Retry-After}), before anything of it is read or applied.
 */
final class HttpGuard implements Filter {
    private static final Logger LOG = Logger.getLogger(HttpGuard.class.getName());
    private static final HeaderName X_FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");
    private static final HeaderName NOSNIFF = HeaderNames.X_CONTENT_TYPE_OPTIONS;
    static final String REALM = "Basic realm=\"aggregation-gateway\", charset=\"UTF-8\"";

    private final Security security;
    private final RefusedPushes refused;

    HttpGuard(Security security, RefusedPushes refused) {
        this.security = security;
        this.refused = refused;
    }

    /** The role a request needs: {@code null} for the health checks and CORS preflights, open to all. */
    static Role roleOf(Method method, String path) {
        if (method == Method.OPTIONS) {
            return null; // a browser's preflight never carries credentials
        }
        if (method == Method.GET || method == Method.HEAD) {
            return path.equals("/-/healthy") || path.equals("/-/ready") ? null : Role.READ;
        }
        if (method == Method.POST || method == Method.PUT) {
            return Role.PUSH;
        }
        return Role.ADMIN; // DELETE, and any method no route takes
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Security.Active active = security.active();
        res.header(NOSNIFF, "nosniff");
        for (Map.Entry<String, String> header : active.headers().entrySet()) {
            res.header(header.getKey(), header.getValue());
        }
        Role role = roleOf(req.prologue().method(), req.path().absolute().path());
        Verdict verdict = null;
        if (role == Role.PUSH && security.limitsPushes()) {
            verdict = security.throttle(client(req));
        }
        if (verdict == null) {
            verdict = active.authorizer().check(role,
                    req.headers().contains(HeaderNames.AUTHORIZATION) ? req.headers().get(HeaderNames.AUTHORIZATION).get() : null);
        }
        switch (verdict) {
            case Verdict.Allowed allowed -> chain.proceed();
            case Verdict.Unauthenticated unauthenticated -> {
                res.header(HeaderNames.WWW_AUTHENTICATE, REALM);
                refuse(req, res, role, Status.UNAUTHORIZED_401, RefusedPushes.Why.UNAUTHENTICATED, unauthenticated.why());
            }
            case Verdict.Forbidden forbidden -> refuse(req, res, role, Status.FORBIDDEN_403, RefusedPushes.Why.FORBIDDEN, forbidden.why());
            case Verdict.Throttled throttled -> {
                res.header(HeaderNames.RETRY_AFTER, String.valueOf(throttled.retryAfterSeconds()));
                refuse(req, res, role, Status.TOO_MANY_REQUESTS_429, RefusedPushes.Why.RATE_LIMITED, throttled.why());
            }
        }
    }

    private String client(RoutingRequest req) {
        List<String> forwarded = security.readsForwardedFor() && req.headers().contains(X_FORWARDED_FOR)
                ? req.headers().get(X_FORWARDED_FOR).allValues() : List.of();
        return security.client(((InetSocketAddress) req.remotePeer().address()).getAddress(), forwarded);
    }

    /** Helidon's own refusals while routing, as plain UTF-8 text with the status they carry. */
    static void routingError(ServerRequest req, ServerResponse res, HttpException e) {
        e.headers().forEach(res::header);
        res.status(e.status())
                .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .header(NOSNIFF, "nosniff")
                .send(e.getMessage() + "\n");
    }

    /**
     * Answers the refusal, and reports it when it refuses a push. The log line is FINE, not INFO as
     * for refusals of what a push carries: a flood held back by the rate limit must not become a
     * flood of log lines. The counters and the status page show these refusals.
     */
    private void refuse(RoutingRequest req, RoutingResponse res, Role role, Status status, RefusedPushes.Why reason, String why) {
        String route = req.prologue().method().text() + " " + req.path().absolute().path();
        LOG.fine(() -> "refused " + route + " from " + req.remotePeer().address() + " (" + status.code() + "): " + why);
        if (role == Role.PUSH) {
            refused.refused(new RefusedPushes.Refusal(req.remotePeer().address(), route, false,
                    req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null), reason, why));
        }
        res.status(status)
                .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .send(why + "\n");
    }
}
