package io.aggregationgateway.server.http;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.PushDecoder;
import io.aggregationgateway.server.ingest.PushFormat;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.selfmetrics.GatewayMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;

/**
 * {@code POST|PUT /metrics/} and {@code /metrics/job/<job>{/<label>/<value>}}: decode, then hand to
 * the engine. The CORS headers are already on the answer ({@link CorsPolicy#filter}).
 */
final class PushHandler implements Handler {
    private final Aggregator aggregator;
    private final GatewayMetrics metrics;
    private final PushDecoder decoder;
    private final CorsPolicy cors;
    private final int maxBodyBytes;

    PushHandler(Aggregator aggregator, GatewayMetrics metrics, CorsPolicy cors, int maxBodyBytes) {
        this.aggregator = aggregator;
        this.decoder = new PushDecoder(aggregator.settings().maxLabelsPerSeries());
        this.metrics = metrics;
        this.cors = cors;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) throws IOException {
        String format = PushFormat.TEXT.label();
        long bodyBytes = 0;
        try {
            cors.requireAllowedOrigin(req);
            Labels grouping = GroupingPath.parse(Routes.pathAfterMetrics(req), false);
            PushFormat pushFormat = PushFormat.fromContentType(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null));
            format = pushFormat.label();
            byte[] body;
            try (InputStream in = req.content().inputStream()) {
                body = BodyReader.read(in, req.headers().first(HeaderNames.CONTENT_ENCODING).orElse(null), maxBodyBytes,
                        req.headers().contentLength().orElse(-1));
            }
            bodyBytes = body.length;
            // PUT replaces: for a source, its series missing from the push are forgotten
            aggregator.push(new Push(grouping, decoder.decode(pushFormat, body, aggregator.seriesGrouping(grouping),
                    aggregator.heldLabels()),
                    req.prologue().method() == Method.PUT));
            metrics.recordPush(format, bodyBytes, null);
            res.status(Status.OK_200).send();
        } catch (PushRejectedException e) {
            metrics.recordPush(format, bodyBytes, e.reason());
            metrics.recentRejections().record(Routes.client(req), Routes.route(req), format, e);
            Routes.sendRejection(req, res, e);
        }
    }
}
