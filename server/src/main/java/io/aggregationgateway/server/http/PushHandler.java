package io.aggregationgateway.server.http;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.PushDecoder;
import io.aggregationgateway.server.ingest.PushFormat;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** {@code POST|PUT /metrics/} and {@code /metrics/job/<job>{/<label>/<value>}}: decode, then hand to the engine. */
final class PushHandler implements Handler {
    private final Aggregator aggregator;
    private final PushDecoder decoder;
    private final int maxBodyBytes;

    PushHandler(Aggregator aggregator, PushDecoder decoder, int maxBodyBytes) {
        this.aggregator = aggregator;
        this.decoder = decoder;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) throws IOException {
        try {
            Labels grouping = GroupingPath.parse(Routes.pathAfterMetrics(req), false);
            PushFormat format = PushFormat.fromContentType(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null));
            byte[] body;
            try (InputStream in = req.content().inputStream()) {
                String encoding = req.headers().first(HeaderNames.CONTENT_ENCODING).orElse(null);
                body = BodyReader.read(in, encoding, maxBodyBytes);
            }
            List<MetricFamily> families = decoder.decode(format, body);
            aggregator.push(new Push(grouping, families));
            res.status(Status.OK_200).send();
        } catch (PushRejectedException e) {
            Routes.sendRejection(res, e);
        }
    }
}
