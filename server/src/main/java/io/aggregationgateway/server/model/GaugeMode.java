package io.aggregationgateway.server.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the values of a gauge (or untyped) series combine: what its pushes and its sources'
 * last values make of it. Counters and histograms always add up.
 */
public enum GaugeMode {
    /** Values are added: delta pushes add, sources contribute their last value to the sum. */
    SUM,
    /** The largest value pushed (delta pushes) or held (sources). */
    MAX,
    /** The smallest value pushed or held. */
    MIN,
    /** The value pushed most recently, by a delta push or by a live source. */
    LAST,
    /** The mean of the values delta pushes brought since the last reset and the live sources' last values. */
    AVG;

    /** The mode's name as flags spell it: {@code sum}, {@code max}, ... */
    public String flagName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode named {@code name} ({@code sum}, {@code max}, {@code min}, {@code last}, {@code avg}).
     *
     * @throws IllegalArgumentException naming the modes when there is no such mode
     */
    public static GaugeMode parse(String name) {
        for (GaugeMode mode : values()) {
            if (mode.flagName().equals(name)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown gauge mode \"" + name + "\" (use "
                + Arrays.stream(values()).map(GaugeMode::flagName).collect(Collectors.joining(", ")) + ")");
    }
}
