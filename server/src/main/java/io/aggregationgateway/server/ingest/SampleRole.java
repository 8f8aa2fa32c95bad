package io.aggregationgateway.server.ingest;

/** What a sample line is to its family, decided by its name and the family's declared type. */
enum SampleRole {
    /** a counter, gauge, untyped, info or stateset sample */
    SCALAR,
    BUCKET,
    HISTOGRAM_COUNT,
    HISTOGRAM_SUM,
    /** a summary's quantile: its value is not kept, as quantiles cannot be added up */
    QUANTILE,
    SUMMARY_COUNT,
    SUMMARY_SUM,
    /** a {@code _created} sample: checked, then dropped */
    DROPPED,
    /** not a sample's role: tells label parsing that an exemplar's labels are checked, not kept */
    EXEMPLAR
}
