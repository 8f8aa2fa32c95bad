package io.aggregationgateway.server.http;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.expose.RenderWorkers;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.selfmetrics.GatewayMetrics;
import io.aggregationgateway.server.selfmetrics.RecentRejections;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Every HTTP route of the gateway for pushing, scraping and deleting, in one place; the status
 * page's read routes are in {@code status.StatusRoutes}. Every route that removes what the
 * gateway holds is a {@code DELETE}, registered together below: the admin routes.
 */
public final class Routes {
    private static final Logger REJECTIONS = Logger.getLogger("io.aggregationgateway.server.rejections");
    private static final String METRICS = "/metrics";

    private Routes() {
    }

    /**
     * Registers the routes, and first a filter that puts the CORS headers on every answer of a push
     * route: register these before any filter that may answer a push itself (the security guard).
     */
    public static void register(HttpRouting.Builder routing, Aggregator aggregator, GatewayMetrics metrics,
                                HttpSettings settings, RenderWorkers renderWorkers) {
        CorsPolicy cors = new CorsPolicy(settings.corsOrigins(), settings.corsAllowCredentials());
        routing.addFilter(cors::filter);
        PushHandler push = new PushHandler(aggregator, metrics, cors, settings.maxBodyBytes());
        Supplier<List<FamilyView>> scraped = settings.selfMetrics()
                ? () -> metrics.withOwnMetrics(aggregator.families(renderWorkers.executor()))
                : () -> aggregator.families(renderWorkers.executor());
        routing.get(METRICS, new ScrapeHandler(scraped, renderWorkers))
                .route(Method.predicate(Method.POST, Method.PUT), PathMatchers.create(METRICS), push)
                .route(Method.predicate(Method.POST, Method.PUT), PathMatchers.create(METRICS + "/*"), push)
                .route(Method.OPTIONS, PathMatchers.create(METRICS), cors::preflight)
                .route(Method.OPTIONS, PathMatchers.create(METRICS + "/*"), cors::preflight)
                .route(Method.DELETE, PathMatchers.create(METRICS + "/*"), new DeleteHandler(aggregator))
                .delete("/api/v1/families/{name}", new FamilyDeleteHandler(aggregator))
                // HAProxy's default health check is "OPTIONS / HTTP/1.0" and counts only 2xx and 3xx as up
                .options("/", (req, res) -> res.header(HeaderNames.ALLOW, "GET, HEAD, OPTIONS").send())
                .get("/-/healthy", new HealthHandler())
                .get("/-/ready", new HealthHandler());
    }

    /**
     * What the server needs besides routes: compressed request bodies, and error messages in the body
     * of the 400s Helidon answers itself (such as an unsupported Content-Encoding).
     */
    public static void configureServer(WebServerConfig.Builder server) {
        server.contentEncoding(ContentEncodingContext.builder()
                        .contentEncodingsDiscoverServices(false)
                        .addContentEncodings(RequestBodyDecoding.all())
                        .build())
                .errorHandling(errors -> errors.includeEntity(true));
    }

    /** The request path after {@code /metrics} as sent, percent-encoded: {@code ""}, {@code "/"}, {@code "/job/..."}. */
    static String pathAfterMetrics(ServerRequest req) {
        String path = req.path().absolute().rawPathNoParams();
        if (!path.startsWith(METRICS)) {
            path = req.path().absolute().path(); // "/metrics" itself percent-encoded: take Helidon's decoding
        }
        return path.length() > METRICS.length() ? path.substring(METRICS.length()) : "";
    }

    /** The request's method and decoded path, e.g. {@code POST /metrics/job/a}, as logs and the status page name it. */
    static String route(ServerRequest req) {
        return req.prologue().method().text() + " " + req.path().absolute().path();
    }

    /** The sender's address, {@code host:port}. */
    static String client(ServerRequest req) {
        return RecentRejections.address(req.remotePeer().address());
    }

    /** A refused request: the reason's status code and its message as plain text; one log line at INFO. */
    static void sendRejection(ServerRequest req, ServerResponse res, PushRejectedException e) {
        Status status = switch (e.reason()) {
            case TOO_LARGE -> Status.REQUEST_ENTITY_TOO_LARGE_413;
            case LIMIT_EXCEEDED -> Status.TOO_MANY_REQUESTS_429;
            case ORIGIN_NOT_ALLOWED -> Status.FORBIDDEN_403;
            default -> Status.BAD_REQUEST_400;
        };
        REJECTIONS.info(() -> "rejected " + route(req) + " from " + client(req) + " ("
                + e.reason().name().toLowerCase(java.util.Locale.ROOT) + "): " + e.getMessage());
        res.status(status)
                .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .send(e.getMessage() + "\n");
    }
}
