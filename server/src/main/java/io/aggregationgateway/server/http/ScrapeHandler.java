package io.aggregationgateway.server.http;

import io.aggregationgateway.server.expose.PreparedScrape;
import io.aggregationgateway.server.expose.RenderWorkers;
import io.aggregationgateway.server.expose.ScrapeFormat;
import io.aggregationgateway.server.headers.ContentCoding;
import io.aggregationgateway.server.headers.HeaderValues;
import io.aggregationgateway.server.headers.MalformedHeaderException;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;

/** {@code GET /metrics}: the aggregate in the format {@code Accept} asks for, gzipped when allowed. */
final class ScrapeHandler implements Handler {
    private static final Logger LOG = Logger.getLogger(ScrapeHandler.class.getName());

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
        ScrapeFormat format = ScrapeFormat.negotiate(req.headers().first(HeaderNames.ACCEPT).orElse(null));
        boolean gzip;
        try {
            gzip = acceptsGzip(req.headers().first(HeaderNames.ACCEPT_ENCODING).orElse(null));
        } catch (MalformedHeaderException e) {
            Routes.sendRejection(req, res, new PushRejectedException(RejectionReason.MALFORMED, e.getMessage()));
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, format.contentType());
        res.header(HeaderNames.VARY, "Accept, Accept-Encoding");
        if (gzip) {
            res.header(HeaderNames.CONTENT_ENCODING, "gzip");
        }
        PreparedScrape scrape = format.prepare(families.get(), renderWorkers);
        boolean knownLength = !gzip && scrape.length() != PreparedScrape.UNKNOWN_LENGTH;
        if (knownLength) {
            res.headers().contentLength(scrape.length());
        }
        // Helidon 4.4.0 copies every write of a chunked answer into a new buffer, twice (JFR: 200 MB
        // allocated for a 100 MB scrape); one of known length, or chunked by ChunkedBody, goes out
        // from the render buffers
        List<String> leftOut;
        try (OutputStream raw = knownLength ? res.outputStream() : ChunkedBody.open(req, res);
             OutputStream out = gzip ? new GZIPOutputStream(raw, 64 * 1024) : raw) {
            leftOut = scrape.writeTo(out);
            if (out instanceof GZIPOutputStream zipped) {
                zipped.finish();
            }
            if (raw instanceof ChunkedBody chunked) {
                chunked.end();
            }
        }
        if (!leftOut.isEmpty()) {
            LOG.warning("a scrape (" + format.contentType() + ") left out " + leftOut.size() + " series whose labels,"
                    + " with names escaped, are those of another series; first: " + leftOut.get(0));
        }
    }

    /**
     * Whether an {@code Accept-Encoding} value allows gzip: {@code gzip} (or its alias
     * {@code x-gzip}) with q above 0, or, when neither is listed, {@code *} with q above 0.
     */
    static boolean acceptsGzip(String acceptEncoding) throws MalformedHeaderException {
        double gzip = -1;
        double any = -1;
        for (ContentCoding coding : HeaderValues.acceptEncoding(acceptEncoding)) {
            switch (coding.name()) {
                case "gzip", "x-gzip" -> gzip = Math.max(gzip, coding.weight());
                case "*" -> any = Math.max(any, coding.weight());
                default -> {
                    // other codings do not matter: the gateway sends gzip or nothing
                }
            }
        }
        return gzip >= 0 ? gzip > 0 : any > 0;
    }
}
