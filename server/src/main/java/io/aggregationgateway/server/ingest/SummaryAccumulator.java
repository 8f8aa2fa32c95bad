package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.SummarySample;

/** The count and sum of one summary series, collected as its samples come. */
final class SummaryAccumulator {
    final Labels labels;
    Double count;
    Double sum;

    SummaryAccumulator(Labels labels) {
        this.labels = labels;
    }

    SummarySample toSeries() {
        return new SummarySample(labels, count, sum);
    }
}
