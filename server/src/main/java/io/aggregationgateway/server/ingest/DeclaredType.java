package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.headers.AsciiCase;
import io.aggregationgateway.server.model.MetricType;

import java.nio.charset.StandardCharsets;

/** The type a {@code # TYPE} line declares for a family; a family without one is untyped. */
enum DeclaredType {
    COUNTER("counter"), GAUGE("gauge"), UNTYPED("untyped"), HISTOGRAM("histogram"),
    GAUGE_HISTOGRAM("gaugehistogram"), SUMMARY("summary"), INFO("info"), STATESET("stateset"),
    UNKNOWN("unknown");

    private static final DeclaredType[] PROMETHEUS = {COUNTER, GAUGE, HISTOGRAM, SUMMARY, UNTYPED};
    private static final DeclaredType[] OPENMETRICS =
            {COUNTER, GAUGE, HISTOGRAM, GAUGE_HISTOGRAM, SUMMARY, INFO, STATESET, UNKNOWN};

    /** The name in a TYPE line, lower-case. */
    private final byte[] text;

    DeclaredType(String text) {
        this.text = text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The type named buf[from, to) (ASCII, any case) in the dialect, or null if it has none of that name. */
    static DeclaredType parse(byte[] buf, int from, int to, boolean openMetrics) {
        for (DeclaredType type : openMetrics ? OPENMETRICS : PROMETHEUS) {
            if (AsciiCase.equalsLowerCase(buf, from, to, type.text)) {
                return type;
            }
        }
        return null;
    }

    boolean isHistogram() {
        return this == HISTOGRAM || this == GAUGE_HISTOGRAM;
    }

    /** The gateway's type for a family of this type: OpenMetrics-only types map to their nearest 0.0.4 one. */
    MetricType metricType() {
        return switch (this) {
            case COUNTER -> MetricType.COUNTER;
            case GAUGE, INFO, STATESET -> MetricType.GAUGE;
            case UNTYPED, UNKNOWN -> MetricType.UNTYPED;
            case HISTOGRAM -> MetricType.HISTOGRAM;
            case GAUGE_HISTOGRAM -> MetricType.GAUGE_HISTOGRAM;
            case SUMMARY -> MetricType.SUMMARY;
        };
    }
}
