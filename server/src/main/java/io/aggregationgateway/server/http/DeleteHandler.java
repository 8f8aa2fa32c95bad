package io.aggregationgateway.server.http;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.PushRejectedException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.logging.Logger;

/**
 * {@code DELETE /metrics/job/<job>{/<label>/<value>}}: forget every series carrying all those labels;
 * when the labels include every source label, forget the sources they name instead (their gauges
 * go, what they added to counters and histograms stays).
 */
final class DeleteHandler implements Handler {
    private static final Logger LOG = Logger.getLogger(DeleteHandler.class.getName());

    private final Aggregator aggregator;

    DeleteHandler(Aggregator aggregator) {
        this.aggregator = aggregator;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        try {
            Labels group = GroupingPath.parse(Routes.pathAfterMetrics(req), true);
            // 202 as the Pushgateway answers: client_golang's Delete() takes anything else for a failure
            if (aggregator.namesSources(group)) {
                long forgotten = aggregator.forgetSources(group);
                LOG.info(() -> "DELETE " + group + " forgot " + forgotten + " sources");
                res.status(Status.ACCEPTED_202)
                        .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                        .send("forgot " + forgotten + " sources carrying " + group + "\n");
                return;
            }
            long removed = aggregator.delete(group);
            LOG.info(() -> "DELETE " + group + " removed " + removed + " series");
            res.status(Status.ACCEPTED_202)
                    .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .send("deleted " + removed + " series carrying " + group + "\n");
        } catch (PushRejectedException e) {
            Routes.sendRejection(req, res, e);
        }
    }
}
