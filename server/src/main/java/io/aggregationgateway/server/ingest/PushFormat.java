package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.headers.HeaderValues;
import io.aggregationgateway.server.headers.MalformedHeaderException;
import io.aggregationgateway.server.headers.MediaType;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;

/** The body formats a push may use, chosen by its {@code Content-Type}. */
public enum PushFormat {
    /** Prometheus text format 0.0.4; also the choice for a missing or unknown content type. */
    TEXT("text"),
    /** OpenMetrics text 1.0.0. */
    OPENMETRICS("openmetrics"),
    /** Varint-length-delimited {@code io.prometheus.client.MetricFamily} messages. */
    PROTOBUF("protobuf");

    private static final String CANONICAL_PROTOBUF =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

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
     * Parameter order, spacing and the case of names do not matter (see {@link HeaderValues#contentType}).
     *
     * @throws PushRejectedException for a value that is not one media type, or a protobuf type
     *                               that is not delimited MetricFamily messages
     */
    public static PushFormat fromContentType(String contentType) throws PushRejectedException {
        if (contentType != null && contentType.equals(CANONICAL_PROTOBUF)) { // what client_golang and client_java send
            return PROTOBUF;
        }
        MediaType type;
        try {
            type = HeaderValues.contentType(contentType).orElse(null);
        } catch (MalformedHeaderException e) {
            throw new PushRejectedException(RejectionReason.MALFORMED, e.getMessage());
        }
        if (type == null) {
            return TEXT;
        }
        if (type.is("application", "openmetrics-text")) {
            return OPENMETRICS;
        }
        if (!type.is("application", "vnd.google.protobuf")) {
            return TEXT;
        }
        if ("io.prometheus.client.MetricFamily".equals(type.parameter("proto"))
                && "delimited".equalsIgnoreCase(type.parameter("encoding"))) {
            return PROTOBUF;
        }
        throw new PushRejectedException(RejectionReason.MALFORMED, "unsupported Content-Type \"" + contentType
                + "\": protobuf pushes must be " + CANONICAL_PROTOBUF);
    }
}
