package io.aggregationgateway.server.model;

/**
 * A classic (bucketed) histogram series as pushed.
 *
 * @param labels           the series' labels, without {@code le}
 * @param upperBounds      bucket upper bounds in ascending order, possibly ending in {@code +Inf}
 * @param cumulativeCounts cumulative count per bound, same length as {@code upperBounds}
 * @param count            the {@code _count} sample, or {@code null} when the push had none
 * @param sum              the {@code _sum} sample, or {@code null} when the push had none
 */
public record ClassicHistogram(Labels labels, double[] upperBounds, double[] cumulativeCounts,
                               Double count, Double sum) implements Series {
    @Override
    public ClassicHistogram withLabels(Labels newLabels) {
        return new ClassicHistogram(newLabels, upperBounds, cumulativeCounts, count, sum);
    }
}
