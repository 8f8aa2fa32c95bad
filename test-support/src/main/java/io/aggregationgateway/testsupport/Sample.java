package io.aggregationgateway.testsupport;

import java.util.Map;

/** One sample as a peer read it: Prometheus's query API, or a line of the gateway's text scrape. */
public record Sample(String name, Map<String, String> labels, double value) {
    public Sample {
        labels = Map.copyOf(labels);
    }

    public String label(String labelName) {
        return labels.get(labelName);
    }

    /** The {@code le} label as a number, so "1", "1.0" and "1e0" name the same bucket. */
    public double upperBound() {
        return parseValue(labels.get("le"));
    }

    /** Prometheus spells infinities "+Inf"/"-Inf", which {@link Double#parseDouble} does not read. */
    public static double parseValue(String text) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}
