package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.headers.HeaderValues;
import io.aggregationgateway.server.headers.MediaRange;
import io.aggregationgateway.server.headers.MediaType;
import io.aggregationgateway.server.model.FamilyView;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** The formats a scrape can get, and the choice among them by {@code Accept} header. */
public enum ExpositionFormat {
    /** Prometheus text format 0.0.4. */
    TEXT(TextFormatRenderer.CONTENT_TYPE) {
        private final TextFormatRenderer renderer = new TextFormatRenderer();

        @Override
        public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
            renderer.render(families, out, workers);
        }
    },
    /** OpenMetrics text 1.0.0. */
    OPENMETRICS(OpenMetricsRenderer.CONTENT_TYPE) {
        private final OpenMetricsRenderer renderer = new OpenMetricsRenderer();

        @Override
        public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
            renderer.render(families, out, workers);
        }
    },
    /** Length-delimited {@code io.prometheus.client.MetricFamily} messages. */
    PROTOBUF(ProtobufRenderer.CONTENT_TYPE) {
        private final ProtobufRenderer renderer = new ProtobufRenderer();

        @Override
        public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
            renderer.render(families, out); // one thread: a family's size prefix needs all its series first
        }
    };

    private final String contentType;

    ExpositionFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The {@code Content-Type} of a response in this format. */
    public String contentType() {
        return contentType;
    }

    /** Writes the families in this format; flushes {@code out} but does not close it. */
    public void render(List<FamilyView> families, OutputStream out) throws IOException {
        render(families, out, RenderWorkers.NONE);
    }

    /** Writes the families in this format with the help of {@code workers}; flushes {@code out} but does not close it. */
    public abstract void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException;

    /**
     * The format to answer a scrape with {@code acceptHeader} (may be {@code null}).
     *
     * <p>Ranges are read by {@link HeaderValues#accept}: parameters in any order and spacing,
     * type and parameter names case-insensitively, and a range that cannot be parsed is left out.
     * Acceptable are {@code application/vnd.google.protobuf} with
     * {@code proto=io.prometheus.client.MetricFamily} and {@code encoding=delimited};
     * {@code application/openmetrics-text} with no version, {@code 0.0.1} or {@code 1.0.0};
     * {@code text/plain} with no version or {@code 0.0.4}; {@code text/*} and {@code *}{@code /*}
     * (as text). The range with the highest {@code q} wins, the first listed on a tie; {@code q=0}
     * is not acceptable. When nothing is acceptable the answer is {@link #TEXT}: Prometheus's
     * clients fall back to text rather than answer 406.
     */
    public static ExpositionFormat negotiate(String acceptHeader) {
        ExpositionFormat best = null;
        double bestQ = 0;
        for (MediaRange range : HeaderValues.accept(acceptHeader)) {
            ExpositionFormat format = range.weight() > 0 ? servedFor(range.mediaType()) : null;
            if (format != null && range.weight() > bestQ) {
                best = format;
                bestQ = range.weight();
            }
        }
        return best == null ? TEXT : best;
    }

    /** The format a media range asks for, or {@code null} when it asks for none the gateway has. */
    private static ExpositionFormat servedFor(MediaType range) {
        String version = range.parameter("version");
        return switch (range.type() + "/" + range.subtype()) {
            case "application/vnd.google.protobuf" ->
                    "io.prometheus.client.MetricFamily".equalsIgnoreCase(range.parameter("proto"))
                            && "delimited".equalsIgnoreCase(range.parameter("encoding")) ? PROTOBUF : null;
            case "application/openmetrics-text" ->
                    version == null || version.equals("0.0.1") || version.equals("1.0.0") ? OPENMETRICS : null;
            case "text/plain" -> version == null || version.equals("0.0.4") ? TEXT : null;
            case "text/*", "*/*" -> TEXT;
            default -> null;
        };
    }
}
