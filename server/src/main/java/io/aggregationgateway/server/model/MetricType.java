package io.aggregationgateway.server.model;

/** The metric types a family can have; the names are those of the text exposition format. */
public enum MetricType {
    COUNTER("counter"),
    GAUGE("gauge"),
    UNTYPED("untyped"),
    HISTOGRAM("histogram"),
    GAUGE_HISTOGRAM("gaugehistogram"),
    SUMMARY("summary");

    private final String textName;

    MetricType(String textName) {
        this.textName = textName;
    }

    /** The type's name as written on a {@code # TYPE} line. */
    public String textName() {
        return textName;
    }

    public boolean isHistogram() {
        return this == HISTOGRAM || this == GAUGE_HISTOGRAM;
    }
}
