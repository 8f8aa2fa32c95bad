package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.FamilyView;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** The formats a scrape can get; {@link ScrapeFormat} adds the version and escaping a scrape negotiates. */
public enum ExpositionFormat {
    /** Prometheus text format (0.0.4, or 1.0.0 with UTF-8 names). */
    TEXT(TextFormatRenderer.CONTENT_TYPE),
    /** OpenMetrics text (1.0.0, or 0.0.1). */
    OPENMETRICS(OpenMetricsRenderer.CONTENT_TYPE),
    /** Length-delimited {@code io.prometheus.client.MetricFamily} messages. */
    PROTOBUF(ProtobufRenderer.CONTENT_TYPE);

    private final String contentType;

    ExpositionFormat(String contentType) {
        this.contentType = contentType;
    }

    /**
     * The {@code Content-Type} that names this format in its first version with UTF-8 names (what
     * pushes send); a scrape's answer says what {@link ScrapeFormat#contentType()} says.
     */
    public String contentType() {
        return contentType;
    }

    /** Writes the families as a scrape that asked for this format and nothing more gets them. */
    public void render(List<FamilyView> families, OutputStream out) throws IOException {
        render(families, out, RenderWorkers.NONE);
    }

    /** {@link #render(List, OutputStream)} with the help of {@code workers}. */
    public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
        ScrapeFormat.of(this).render(families, out, workers);
    }

    /** The format of {@link ScrapeFormat#negotiate(String)}. */
    public static ExpositionFormat negotiate(String acceptHeader) {
        return ScrapeFormat.negotiate(acceptHeader).format();
    }
}
