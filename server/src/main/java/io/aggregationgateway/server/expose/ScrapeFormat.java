package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.headers.HeaderValues;
import io.aggregationgateway.server.headers.MediaRange;
import io.aggregationgateway.server.headers.MediaType;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.NameEscaping;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * What a scrape is answered with: a format, its version, and how names outside the legacy
 * character set are written ({@link NameEscaping}). The response's {@code Content-Type} states all
 * three where the format has them.
 *
 * <ul>
 *   <li>text {@code 0.0.4} and OpenMetrics {@code 0.0.1}: legacy formats, names escaped with
 *       {@code underscores} whatever the request says;</li>
 *   <li>text {@code 1.0.0} and OpenMetrics {@code 1.0.0}: the {@code escaping} parameter of the chosen
 *       range decides ({@code allow-utf-8}: names as they are, quoted where the syntax needs it),
 *       {@code underscores} when it is absent or unknown;</li>
 *   <li>protobuf: names as they are for a scraper that reads UTF-8 names, which Prometheus 3 shows by
 *       asking for {@code escaping=allow-utf-8} on its text ranges (it sends no parameter on the
 *       protobuf range); {@code underscores} for a scraper that shows nothing of the kind: Prometheus
 *       2.x refuses a whole protobuf scrape that holds one UTF-8 name. An {@code escaping} parameter
 *       on the protobuf range itself decides.</li>
 * </ul>
 *
 * @param version  {@code 0.0.4} or {@code 1.0.0} for text, {@code 0.0.1} or {@code 1.0.0} for
 *                 OpenMetrics, {@code null} for protobuf
 * @param escaping how names outside the legacy set are written
 */
public record ScrapeFormat(ExpositionFormat format, String version, NameEscaping escaping) {
    private static final String TEXT_LEGACY = "0.0.4";
    private static final String OPENMETRICS_LEGACY = "0.0.1";
    private static final String UTF8_VERSION = "1.0.0";
    private static final String PROTO = "io.prometheus.client.MetricFamily";
    private static final TextFormatRenderer TEXT_RENDERER = new TextFormatRenderer();

    /** What a scrape that asks for nothing the gateway serves gets: text 0.0.4. */
    public static final ScrapeFormat DEFAULT = new ScrapeFormat(ExpositionFormat.TEXT, TEXT_LEGACY, NameEscaping.UNDERSCORES);

    /** What a scrape asking for {@code format} without version or escaping gets. */
    static ScrapeFormat of(ExpositionFormat format) {
        return switch (format) {
            case TEXT -> DEFAULT;
            case OPENMETRICS -> new ScrapeFormat(format, UTF8_VERSION, NameEscaping.UNDERSCORES);
            case PROTOBUF -> new ScrapeFormat(format, null, NameEscaping.UNDERSCORES);
        };
    }

    /**
     * The answer to a scrape with {@code acceptHeader} (may be {@code null}).
     *
     * <p>Ranges are read by {@link HeaderValues#accept}: parameters in any order and spacing,
     * type and parameter names case-insensitively, and a range that cannot be parsed is left out.
     * Acceptable are {@code application/vnd.google.protobuf} with
     * {@code proto=io.prometheus.client.MetricFamily} and {@code encoding=delimited};
     * {@code application/openmetrics-text} with no version (served as {@code 1.0.0}), {@code 0.0.1}
     * or {@code 1.0.0}; {@code text/plain} with no version (served as {@code 0.0.4}), {@code 0.0.4}
     * or {@code 1.0.0}; {@code text/*} and {@code *}{@code /*} (as text 0.0.4). The range with the
     * highest {@code q} wins, the first listed on a tie; {@code q=0} is not acceptable; the winner's
     * {@code escaping} parameter applies (for protobuf without one, see above). When nothing is
     * acceptable the answer is {@link #DEFAULT}: Prometheus's clients fall back to text rather than
     * answer 406.
     */
    public static ScrapeFormat negotiate(String acceptHeader) {
        ScrapeFormat best = null;
        double bestQ = 0;
        boolean readsUtf8 = false;
        for (MediaRange range : HeaderValues.accept(acceptHeader)) {
            readsUtf8 |= NameEscaping.ALLOW_UTF8.parameterValue().equals(range.mediaType().parameter("escaping"));
            ScrapeFormat format = range.weight() > 0 ? servedFor(range.mediaType()) : null;
            if (format != null && range.weight() > bestQ) {
                best = format;
                bestQ = range.weight();
            }
        }
        if (best == null) {
            return DEFAULT;
        }
        if (best.escaping() == null) { // protobuf without its own parameter
            return new ScrapeFormat(best.format(), null, readsUtf8 ? NameEscaping.ALLOW_UTF8 : NameEscaping.UNDERSCORES);
        }
        return best;
    }

    /** What a media range asks for, or {@code null} when it asks for nothing the gateway has. */
    private static ScrapeFormat servedFor(MediaType range) {
        String version = range.parameter("version");
        return switch (range.type() + "/" + range.subtype()) {
            case "application/vnd.google.protobuf" ->
                    PROTO.equalsIgnoreCase(range.parameter("proto")) && "delimited".equalsIgnoreCase(range.parameter("encoding"))
                            ? new ScrapeFormat(ExpositionFormat.PROTOBUF, null,
                                    NameEscaping.fromParameter(range.parameter("escaping")).orElse(null)) : null;
            case "application/openmetrics-text" -> version == null || version.equals(UTF8_VERSION)
                    ? new ScrapeFormat(ExpositionFormat.OPENMETRICS, UTF8_VERSION, requestedEscaping(range))
                    : version.equals(OPENMETRICS_LEGACY)
                    ? new ScrapeFormat(ExpositionFormat.OPENMETRICS, OPENMETRICS_LEGACY, NameEscaping.UNDERSCORES) : null;
            case "text/plain" -> version == null || version.equals(TEXT_LEGACY) ? DEFAULT
                    : version.equals(UTF8_VERSION)
                    ? new ScrapeFormat(ExpositionFormat.TEXT, UTF8_VERSION, requestedEscaping(range)) : null;
            case "text/*", "*/*" -> DEFAULT;
            default -> null;
        };
    }

    /** The range's {@code escaping}; {@code underscores}, the default of Prometheus's libraries, when absent or unknown. */
    private static NameEscaping requestedEscaping(MediaType range) {
        String escaping = range.parameter("escaping");
        return escaping == null ? NameEscaping.UNDERSCORES : NameEscaping.fromParameter(escaping).orElse(NameEscaping.UNDERSCORES);
    }

    /** The response's {@code Content-Type}: the format with its version and, where the format has one, the escaping. */
    public String contentType() {
        return switch (format) {
            case TEXT -> "text/plain; version=" + version + "; charset=utf-8" + escapingParameter();
            case OPENMETRICS -> "application/openmetrics-text; version=" + version + "; charset=utf-8" + escapingParameter();
            case PROTOBUF -> ProtobufRenderer.CONTENT_TYPE + "; escaping=" + escaping.parameterValue();
        };
    }

    /** Only the 1.0.0 text formats have the parameter: the legacy ones always mean underscores. */
    private String escapingParameter() {
        return UTF8_VERSION.equals(version) ? "; escaping=" + escaping.parameterValue() : "";
    }

    /**
     * Writes the families in this format, with start times (OpenMetrics {@code _created}, protobuf
     * {@code created_timestamp}) where the format has them; flushes {@code out} but does not close it.
     *
     * @return one line for each series a scrape with escaped names left out because its labels,
     *         escaped, are those of a series written before it (see {@link EscapedSeries}); empty when none
     */
    public List<String> render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
        return prepare(families, workers).writeTo(out);
    }

    /**
     * The scrape {@link #render} writes, with its length when known before writing: protobuf of
     * counter, gauge and untyped families sizes every series first (on {@code workers}), which is what
     * {@link PreparedScrape#length()} then gives; the rest is rendered when written.
     */
    public PreparedScrape prepare(List<FamilyView> families, RenderWorkers workers) throws IOException {
        return switch (format) {
            case TEXT -> new PreparedScrape(PreparedScrape.UNKNOWN_LENGTH,
                    out -> TEXT_RENDERER.render(families, out, workers, escaping));
            case OPENMETRICS -> new PreparedScrape(PreparedScrape.UNKNOWN_LENGTH,
                    out -> OpenMetricsRenderer.WITH_CREATED.render(families, out, workers, escaping));
            case PROTOBUF -> ProtobufRenderer.WITH_CREATED.prepare(families, workers, escaping);
        };
    }
}
