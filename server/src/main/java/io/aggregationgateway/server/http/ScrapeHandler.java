package io.aggregationgateway.server.http;

import io.aggregationgateway.server.expose.ExpositionFormat;
import io.aggregationgateway.server.expose.RenderWorkers;
import io.aggregationgateway.server.model.FamilyView;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/** {@code GET /metrics}: the aggregate in the format {@code Accept} asks for, gzipped when allowed. */
final class ScrapeHandler implements Handler {
    private final Supplier<List<FamilyView>> families;
    private final RenderWorkers renderWorkers;

    /**
     * @param families      what a scrape shows, sorted by name
     * @param renderWorkers threads that help render large scrapes
     */
    ScrapeHandler(Supplier<List<FamilyView>> families, RenderWorkers renderWorkers) {
        this.families = families;
        this.renderWorkers = renderWorkers;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) throws IOException {
        ExpositionFormat format = ExpositionFormat.negotiate(req.headers().first(HeaderNames.ACCEPT).orElse(null));
        boolean gzip = acceptsGzip(req.headers().first(HeaderNames.ACCEPT_ENCODING).orElse(null));
        res.header(HeaderNames.CONTENT_TYPE, format.contentType());
        res.header(HeaderNames.VARY, "Accept, Accept-Encoding");
        if (gzip) {
            res.header(HeaderNames.CONTENT_ENCODING, "gzip");
        }
        try (OutputStream raw = res.outputStream();
             OutputStream out = gzip ? new GZIPOutputStream(raw, 64 * 1024) : raw) {
            format.render(families.get(), out, renderWorkers);
        }
    }

    /** Whether an {@code Accept-Encoding} value allows gzip (listed, or {@code *}, with q above 0). */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.split(";");
            String name = parts[0].trim().toLowerCase(Locale.ROOT);
            if (!name.equals("gzip") && !name.equals("x-gzip") && !name.equals("*")) {
                continue;
            }
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].trim().split("=", 2);
                if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("q")) {
                    try {
                        q = Double.parseDouble(kv[1].trim());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q > 0) {
                return true;
            }
        }
        return false;
    }
}
