package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.Series;

import java.util.Arrays;

/**
 * The fields of one protobuf {@code Histogram} as sent, before they are read as a classic or a
 * native histogram. {@link MetricFamilyWireReader} fills it from the bytes and the thorough path
 * of {@link ProtobufDecoder} from a parsed message; both then read it with {@link #toSeries}, so
 * the two cannot tell one histogram apart. Singular fields overwrite and repeated ones append, so a
 * message sent twice merges as protobuf merges it. Reusable after {@link #clear}.
 */
final class HistogramFields {
    /** See {@link NativeHistogramDecoding#decode}. */
    private final boolean dropEmptyBuckets;
    long sampleCount;
    double sampleCountFloat;
    double sampleSum;
    int schema;
    double zeroThreshold;
    long zeroCount;
    double zeroCountFloat;
    final Side positive = new Side();
    final Side negative = new Side();
    private int buckets;
    private double[] bucketBounds = new double[16];
    private double[] bucketCounts = new double[16];

    /** @param dropEmptyBuckets whether native buckets that hold nothing may be left out, see {@link NativeHistogramDecoding#decode} */
    HistogramFields(boolean dropEmptyBuckets) {
        this.dropEmptyBuckets = dropEmptyBuckets;
    }

    void clear() {
        sampleCount = 0;
        sampleCountFloat = 0;
        sampleSum = 0;
        schema = 0;
        zeroThreshold = 0;
        zeroCount = 0;
        zeroCountFloat = 0;
        positive.clear();
        negative.clear();
        buckets = 0;
    }

    /** A classic bucket; {@code cumulativeCountFloat} overrides {@code cumulativeCount} when positive. */
    void addBucket(double upperBound, long cumulativeCount, double cumulativeCountFloat) {
        if (buckets == bucketBounds.length) {
            bucketBounds = Arrays.copyOf(bucketBounds, buckets * 2);
            bucketCounts = Arrays.copyOf(bucketCounts, buckets * 2);
        }
        bucketBounds[buckets] = upperBound;
        bucketCounts[buckets] = cumulativeCountFloat > 0 ? cumulativeCountFloat
                : ProtobufDecoder.unsignedToDouble(cumulativeCount);
        buckets++;
    }

    /** {@code sample_count_float} when positive, else {@code sample_count}. */
    double count() {
        return sampleCountFloat > 0 ? sampleCountFloat : ProtobufDecoder.unsignedToDouble(sampleCount);
    }

    /**
     * The series these fields make: a {@link ClassicHistogram}, or a native one (with the classic
     * buckets, if any, alongside) when {@link NativeHistogramDecoding#isNative} says so.
     */
    Series toSeries(Labels labels) throws NativeHistogramDecoding.InvalidNativeHistogram {
        ClassicHistogram classic = new ClassicHistogram(labels, Arrays.copyOf(bucketBounds, buckets),
                Arrays.copyOf(bucketCounts, buckets), count(), sampleSum);
        if (!NativeHistogramDecoding.isNative(this)) {
            return classic;
        }
        return NativeHistogramDecoding.decode(this, labels, buckets > 0 ? classic : null, dropEmptyBuckets);
    }

    /** One side's spans and its deltas (integer histograms) or counts (float histograms), as sent. */
    static final class Side {
        int spans;
        int[] spanOffsets = new int[8];
        /** {@code uint32} on the wire: read with {@link Integer#toUnsignedLong}. */
        int[] spanLengths = new int[8];
        int deltas;
        long[] deltaValues = new long[16];
        int counts;
        double[] countValues = new double[16];
        private int[] indexScratch = new int[0];
        private double[] countScratch = new double[0];
        // What the side's first run of deltas made of its buckets as it was read (see
        // streamed): the spans and deltas it was read with, the buckets written to the scratch
        // arrays, or -1 when there are none, or none that decoding would keep, and their counts' sum.
        private int streamedSpans;
        private int streamedDeltas;
        private int streamedBuckets = -1;
        private double streamedTotal;

        void clear() {
            spans = 0;
            deltas = 0;
            counts = 0;
            streamedBuckets = -1;
        }

        /**
         * Notes that the side's deltas so far, read with its spans so far, decoded to the first
         * {@code buckets} entries of the scratch arrays, empty buckets left out, every check of
         * {@link NativeHistogramDecoding#decode} passed, and that their counts, added up in their
         * order, make {@code total}.
         */
        void streamed(int buckets, double total) {
            streamedSpans = spans;
            streamedDeltas = deltas;
            streamedBuckets = buckets;
            streamedTotal = total;
        }

        /**
         * The buckets {@link #streamed} noted, copied out at their size, while the side still has
         * exactly the spans and deltas they were decoded from; otherwise {@code null}. They come
         * {@linkplain NativeBuckets#checked checked}: the engine need not check them again.
         */
        NativeBuckets streamedBuckets() {
            if (streamedBuckets < 0 || streamedSpans != spans || streamedDeltas != deltas) {
                return null;
            }
            return NativeBuckets.checked(Arrays.copyOf(indexScratch, streamedBuckets),
                    Arrays.copyOf(countScratch, streamedBuckets), streamedTotal);
        }

        void addSpan(int offset, int length) {
            if (spans == spanOffsets.length) {
                spanOffsets = Arrays.copyOf(spanOffsets, spans * 2);
                spanLengths = Arrays.copyOf(spanLengths, spans * 2);
            }
            spanOffsets[spans] = offset;
            spanLengths[spans] = length;
            spans++;
        }

        /** Doubles the deltas' array (the first {@link #deltas} kept) and returns it. */
        long[] growDeltas() {
            return growDeltas(deltaValues.length * 2);
        }

        /** The deltas' array grown to at least {@code size} (the first {@link #deltas} kept). */
        long[] growDeltas(int size) {
            int length = deltaValues.length * 2;
            while (length < size) {
                length *= 2;
            }
            deltaValues = Arrays.copyOf(deltaValues, length);
            return deltaValues;
        }

        void addDelta(long delta) {
            if (deltas == deltaValues.length) {
                growDeltas();
            }
            deltaValues[deltas++] = delta;
        }

        /** A reusable array of at least {@code size} indices, for decoding. */
        int[] indexScratch(int size) {
            if (indexScratch.length < size) {
                indexScratch = new int[Math.max(size, indexScratch.length * 2)];
            }
            return indexScratch;
        }

        /** A reusable array of at least {@code size} counts, for decoding. */
        double[] countScratch(int size) {
            if (countScratch.length < size) {
                countScratch = new double[Math.max(size, countScratch.length * 2)];
            }
            return countScratch;
        }

        void addCount(double count) {
            if (counts == countValues.length) {
                countValues = Arrays.copyOf(countValues, counts * 2);
            }
            countValues[counts++] = count;
        }
    }
}
