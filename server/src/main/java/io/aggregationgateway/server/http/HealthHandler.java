package io.aggregationgateway.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /-/healthy} and {@code /-/ready}: 200 "OK" while the server is serving (as the Pushgateway answers). */
final class HealthHandler implements Handler {
    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8").send("OK\n");
    }
}
