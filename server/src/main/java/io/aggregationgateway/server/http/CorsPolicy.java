package io.aggregationgateway.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;
import java.util.Optional;

/**
 * CORS for browser senders on the push routes. An origin that is not listed gets no CORS
 * headers at all, so the browser refuses the push; a listed one (or any, with {@code *}) is
 * allowed to POST and PUT with the headers pushes use.
 */
final class CorsPolicy {
    static final String ALLOWED_METHODS = "POST, PUT";
    static final String ALLOWED_HEADERS = "Content-Type, Content-Encoding";
    static final String MAX_AGE_SECONDS = "600";

    private final List<String> origins;

    CorsPolicy(List<String> origins) {
        this.origins = List.copyOf(origins);
    }

    private Optional<String> allowedOrigin(ServerRequest req) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isEmpty() || origins.isEmpty()) {
            return Optional.empty();
        }
        if (origins.contains("*")) {
            return Optional.of("*");
        }
        return origin.filter(origins::contains);
    }

    /** On an actual push: tells the browser it may read the response. */
    void addHeaders(ServerRequest req, ServerResponse res) {
        allowedOrigin(req).ifPresent(origin -> {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            res.header(HeaderNames.VARY, "Origin");
        });
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
        });
        res.status(Status.NO_CONTENT_204).send();
    }
}
