package io.aggregationgateway.server.http;

import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;
import java.util.Optional;

/**
 * CORS for browser senders on the push routes, and the refusal of pushes from other origins.
 *
 * <p>A browser sends some cross-origin pushes without asking first (a {@code text/plain} {@code fetch},
 * {@code sendBeacon}): CORS headers alone would only hide the answer from the page, after the push was
 * applied. So a push whose {@code Origin} is not allowed is refused with 403 and changes nothing. A
 * request without {@code Origin} (a server, curl) is no browser's and is not affected. An allowed
 * origin (listed, or any with {@code *}) may POST and PUT with the headers pushes use; with
 * credentials allowed, also with cookies or HTTP authentication, which needs the origin itself named
 * in the answer rather than {@code *}. Every answer of a push route varies by {@code Origin}, so that
 * caches keep them apart.
 *
 * <p>The headers go on every answer of a push route, whoever gives it: as a filter that runs before
 * the security guard, so that a page can read the {@code 401} or {@code 429} the guard answers (and
 * its {@code Retry-After}) as it reads a refusal of the push itself.
 */
final class CorsPolicy {
    static final String ALLOWED_METHODS = "POST, PUT";
    /** Authorization for a page that sends basic authentication itself, which needs no credentialed request. */
    static final String ALLOWED_HEADERS = "Content-Type, Content-Encoding, Authorization";
    /** Answer headers a page may read besides the safelisted ones: when to try again, how to authenticate. */
    static final String EXPOSED_HEADERS = "Retry-After, WWW-Authenticate";
    static final String MAX_AGE_SECONDS = "600";

    private static final String METRICS = "/metrics";

    private final List<String> origins;
    private final boolean allowCredentials;

    CorsPolicy(List<String> origins, boolean allowCredentials) {
        this.origins = List.copyOf(origins);
        this.allowCredentials = allowCredentials;
    }

    /** The {@code Access-Control-Allow-Origin} for this request, if its origin is allowed. */
    private Optional<String> allowedOrigin(ServerRequest req) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isEmpty()) {
            return Optional.empty();
        }
        if (origins.contains("*")) {
            return allowCredentials ? origin : Optional.of("*"); // "*" does not admit credentialed requests
        }
        return origin.filter(origins::contains);
    }

    /** Before every route: on a push, {@link #addHeaders}; then whatever comes next answers. */
    void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Method method = req.prologue().method();
        if (method == Method.POST || method == Method.PUT) {
            String path = req.path().absolute().path();
            if (path.equals(METRICS) || path.startsWith(METRICS + "/")) {
                addHeaders(req, res);
            }
        }
        chain.proceed();
    }

    /** On a push: the headers that let an allowed origin read the answer, and {@code Vary: Origin} always. */
    void addHeaders(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.VARY, "Origin");
        allowedOrigin(req).ifPresent(origin -> {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS);
            if (allowCredentials) {
                res.header(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            }
        });
    }

    /** Refuses a push that comes with an {@code Origin} that is not allowed. */
    void requireAllowedOrigin(ServerRequest req) throws PushRejectedException {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isPresent() && allowedOrigin(req).isEmpty()) {
            throw new PushRejectedException(RejectionReason.ORIGIN_NOT_ALLOWED, "origin " + origin.get()
                    + " may not push here" + (origins.isEmpty() ? ": no origins are allowed" : "") + " (--cors-origin)");
        }
    }

    /** {@code OPTIONS} on a push route: the preflight answer. */
    void preflight(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.ALLOW, ALLOWED_METHODS + ", OPTIONS");
        res.header(HeaderNames.VARY, "Origin");
        allowedOrigin(req).ifPresent(origin -> {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS);
            res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
            if (allowCredentials) {
                res.header(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            }
        });
        res.status(Status.NO_CONTENT_204).send();
    }
}
