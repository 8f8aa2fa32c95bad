package io.aggregationgateway.server.model;

/**
 * A summary series. Quantiles cannot be added up, so the gateway keeps only what it needs to
 * validate the push (summaries are discarded by the aggregation rules).
 *
 * @param count the {@code _count} sample, or {@code null} when absent
 * @param sum   the {@code _sum} sample, or {@code null} when absent
 */
public record SummarySample(Labels labels, Double count, Double sum) implements Series {
    @Override
    public SummarySample withLabels(Labels newLabels) {
        return new SummarySample(newLabels, count, sum);
    }
}
