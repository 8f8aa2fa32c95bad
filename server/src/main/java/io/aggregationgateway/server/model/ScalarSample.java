package io.aggregationgateway.server.model;

/** A counter, gauge or untyped series: one value. As a {@link ScalarView} it reads as that value. */
public record ScalarSample(Labels labels, double value) implements Series, ScalarView {
    @Override
    public ScalarSample withLabels(Labels newLabels) {
        return new ScalarSample(newLabels, value);
    }
}
