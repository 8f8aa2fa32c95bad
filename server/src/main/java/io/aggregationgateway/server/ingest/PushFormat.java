package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;

import java.util.Locale;

/** The body formats a push may use, chosen by its {@code Content-Type}. */
public enum PushFormat {
    /** Prometheus text format 0.0.4; also the choice for a missing or unknown content type. */
    TEXT("text"),
    /** OpenMetrics text 1.0.0. */
    OPENMETRICS("openmetrics"),
    /** Varint-length-delimited {@code io.prometheus.client.MetricFamily} messages. */
    PROTOBUF("protobuf");

    private static final String PROTOBUF_MEDIA_TYPE = "application/vnd.google.protobuf";
    private static final String CANONICAL_PROTOBUF =
            PROTOBUF_MEDIA_TYPE + "; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private final String label;

    PushFormat(String label) {
        this.label = label;
    }

    /** A short name for logs and the gateway's own metrics. */
    public String label() {
        return label;
    }

    /**
     * The format a {@code Content-Type} header value names; {@link #TEXT} when none or unknown.
     * Parameter order, spacing and case do not matter.
     *
     * @throws PushRejectedException for a protobuf type that is not delimited MetricFamily messages
     */
    public static PushFormat fromContentType(String contentType) throws PushRejectedException {
        if (contentType == null || contentType.isBlank()) {
            return TEXT;
        }
        if (contentType.equals(CANONICAL_PROTOBUF)) { // what client_golang and client_java send: no parsing
            return PROTOBUF;
        }
        String[] parts = contentType.split(";");
        String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
        if (mediaType.equals("application/openmetrics-text")) {
            return OPENMETRICS;
        }
        if (!mediaType.equals(PROTOBUF_MEDIA_TYPE)) {
            return TEXT;
        }
        String proto = null;
        String encoding = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            String key = kv[0].trim().toLowerCase(Locale.ROOT);
            String value = kv.length > 1 ? kv[1].trim().replace("\"", "") : "";
            switch (key) {
                case "proto" -> proto = value;
                case "encoding" -> encoding = value.toLowerCase(Locale.ROOT);
                default -> { }
            }
        }
        if ("io.prometheus.client.MetricFamily".equals(proto) && "delimited".equals(encoding)) {
            return PROTOBUF;
        }
        throw new PushRejectedException(RejectionReason.MALFORMED, "unsupported Content-Type \"" + contentType
                + "\": protobuf pushes must be " + PROTOBUF_MEDIA_TYPE
                + "; proto=io.prometheus.client.MetricFamily; encoding=delimited");
    }
}
