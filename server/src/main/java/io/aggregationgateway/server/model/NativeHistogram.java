package io.aggregationgateway.server.model;

/**
 * A native (sparse exponential) histogram series as pushed over protobuf, possibly with
 * classic buckets alongside.
 *
 * @param labels        the series' labels
 * @param schema        the resolution: bucket boundaries are powers of {@code 2^(2^-schema)};
 *                      -4..8 when valid
 * @param zeroThreshold observations with an absolute value up to this land in the zero bucket
 * @param zeroCount     observations in the zero bucket
 * @param count         all observations (NaN observations are counted here but in no bucket)
 * @param sum           the sum of all observations
 * @param positive      buckets of positive observations above the zero bucket
 * @param negative      buckets of negative observations below the zero bucket, by absolute value
 * @param floatCounts   whether the counts came as floats ({@code *_count}, {@code *_float}
 *                      fields) rather than integers; the merge of an integer and a float
 *                      histogram is a float histogram
 * @param classic       the classic buckets pushed with it (its count and sum are this
 *                      record's), or {@code null} when the push had none
 */
public record NativeHistogram(Labels labels, int schema, double zeroThreshold, double zeroCount,
                              double count, double sum, NativeBuckets positive, NativeBuckets negative,
                              boolean floatCounts, ClassicHistogram classic) implements Series {
    @Override
    public NativeHistogram withLabels(Labels newLabels) {
        return new NativeHistogram(newLabels, schema, zeroThreshold, zeroCount, count, sum, positive, negative,
                floatCounts, classic == null ? null : classic.withLabels(newLabels));
    }
}
