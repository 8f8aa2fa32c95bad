package io.aggregationgateway.server.http;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.logging.Logger;

/** {@code DELETE /api/v1/families/<name>}: forget a whole family, whatever its labels; 404 if none is held. */
final class FamilyDeleteHandler implements Handler {
    private static final Logger LOG = Logger.getLogger(FamilyDeleteHandler.class.getName());

    private final Aggregator aggregator;

    FamilyDeleteHandler(Aggregator aggregator) {
        this.aggregator = aggregator;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        long removed = aggregator.deleteFamily(name);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (removed == 0) {
            res.status(Status.NOT_FOUND_404).send("no family named " + name + " holds any series\n");
            return;
        }
        LOG.info(() -> "DELETE family " + name + " removed " + removed + " series");
        res.send("deleted family " + name + ": " + removed + " series\n");
    }
}
