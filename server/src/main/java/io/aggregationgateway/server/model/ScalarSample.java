package io.aggregationgateway.server.model;

/** A counter, gauge or untyped series: one value. */
public record ScalarSample(Labels labels, double value) implements Series {
    @Override
    public ScalarSample withLabels(Labels newLabels) {
        return new ScalarSample(newLabels, value);
    }
}
