package io.aggregationgateway.server.status;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;

/**
 * The status page and its JSON API: read-only routes. What they offer to change (deleting a
 * family or a grouping key) goes to the admin routes in {@code http.Routes}.
 *
 * <ul>
 *   <li>{@code GET /}, {@code GET /status}: the HTML page</li>
 *   <li>{@code GET /api/v1/status}: the gateway, push counts and rates, reset schedule, configuration</li>
 *   <li>{@code GET /api/v1/families}: every family with type, series and last push</li>
 *   <li>{@code GET /api/v1/rejections}: the last refused pushes</li>
 * </ul>
 */
public final class StatusRoutes {
    private StatusRoutes() {
    }

    public static void register(HttpRouting.Builder routing, StatusReporter status) {
        String version = "v" + status.build().version();
        routing.get("/", (req, res) -> page(res, version, status))
                .get("/status", (req, res) -> page(res, version, status))
                .get("/api/v1/status", (req, res) -> json(res, status.status()))
                .get("/api/v1/families", (req, res) -> json(res, List.of(status.families(Integer.MAX_VALUE))))
                .get("/api/v1/rejections", (req, res) -> json(res, status.rejections()));
    }

    private static void page(ServerResponse res, String version, StatusReporter status) {
        String html = StatusPage.render(version, status.page(), status.now());
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .header(HeaderNames.create("Content-Security-Policy"), StatusPage.CONTENT_SECURITY_POLICY)
                .header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .header(HeaderNames.create("Referrer-Policy"), "no-referrer")
                .header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(html);
    }

    private static void json(ServerResponse res, List<Section> sections) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json")
                .header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(StatusJson.document(sections));
    }
}
