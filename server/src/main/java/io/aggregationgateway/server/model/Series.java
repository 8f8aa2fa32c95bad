package io.aggregationgateway.server.model;

/**
 * One series of a pushed family: its labels (as pushed, before grouping labels are added; a
 * decoder may have added them already, which means the same, see {@link Labels#withOverrides})
 * and its value(s).
 */
public sealed interface Series permits ScalarSample, ClassicHistogram, NativeHistogram, SummarySample {
    Labels labels();

    /** The same series with other labels. */
    Series withLabels(Labels labels);
}
