package io.aggregationgateway.server.http;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.ingest.PushDecoder;
import io.aggregationgateway.server.model.PushRejectedException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Every HTTP route of the gateway, in one place. */
public final class Routes {
    private static final Logger LOG = Logger.getLogger(Routes.class.getName());
    private static final String METRICS = "/metrics";

    private Routes() {
    }

    /**
     * @param maxBodyBytes largest push body accepted, in bytes
     */
    public static void register(HttpRouting.Builder routing, Aggregator aggregator, int maxBodyBytes) {
        PushHandler push = new PushHandler(aggregator, new PushDecoder(), maxBodyBytes);
        routing.get(METRICS, new ScrapeHandler(aggregator))
                .route(Method.predicate(Method.POST, Method.PUT), PathMatchers.create(METRICS), push)
                .route(Method.predicate(Method.POST, Method.PUT), PathMatchers.create(METRICS + "/*"), push)
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

    /** The decoded request path after {@code /metrics}: {@code ""}, {@code "/"}, {@code "/job/..."}. */
    static String pathAfterMetrics(ServerRequest req) {
        String path = req.path().absolute().path();
        return path.length() > METRICS.length() ? path.substring(METRICS.length()) : "";
    }

    /** A refused push: the reason's status code and its message as plain text. */
    static void sendRejection(ServerResponse res, PushRejectedException e) {
        Status status = switch (e.reason()) {
            case TOO_LARGE -> Status.REQUEST_ENTITY_TOO_LARGE_413;
            case LIMIT_EXCEEDED -> Status.TOO_MANY_REQUESTS_429;
            default -> Status.BAD_REQUEST_400;
        };
        LOG.log(Level.FINE, () -> "push rejected (" + e.reason() + "): " + e.getMessage());
        res.status(status)
                .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .send(e.getMessage() + "\n");
    }
}
