package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricNames;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;
import io.aggregationgateway.server.model.TextFormatting;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a whole push against the rules that need no store: names, values, histogram shape,
 * duplicates. Returns the push normalised for the merge: grouping labels applied, histograms
 * completed with {@code +Inf}, count and sum. Checks against the store (types) happen when the
 * push is applied.
 */
final class PushValidator {
    private final String reservedPrefix;
    private final int maxLabelsPerSeries;
    private final int maxLabelValueBytes;
    private final GaugeCells gaugeCells;

    PushValidator(EngineSettings settings, GaugeCells gaugeCells) {
        this.gaugeCells = gaugeCells;
        this.reservedPrefix = settings.reservedPrefix();
        this.maxLabelsPerSeries = settings.maxLabelsPerSeries();
        this.maxLabelValueBytes = settings.maxLabelValueBytes();
    }

    ValidatedPush validate(Push push) throws PushRejectedException {
        checkGroupingLabels(push.groupingLabels());
        Map<String, MetricFamily> byName = mergeSameNamedFamilies(push.families());
        List<MetricFamily> toApply = new ArrayList<>(byName.size());
        List<MetricFamily> discarded = new ArrayList<>();
        int seriesCount = 0;
        boolean utf8LabelNames = false;
        long bytesIfNew = 0;
        double magnitude = 0;
        LabelScan scan = new LabelScan();
        // the decoder built the grouping labels into every series: no series needs them looked for
        Labels overrides = push.seriesHoldGrouping() ? Labels.EMPTY : push.groupingLabels();
        for (MetricFamily family : byName.values()) {
            checkFamilyName(family.name());
            List<Series> pushed = family.series();
            // the family's own list while every series stays as it came (labels and values final already)
            List<Series> normalised = null;
            LabelsSeen seen = new LabelsSeen(pushed.size());
            boolean summaries = family.type() == MetricType.SUMMARY;
            boolean gaugeCell = gaugeCells.mayHold(family.type());
            long seriesBytes = 0;
            for (int i = 0; i < pushed.size(); i++) {
                Series series = pushed.get(i);
                Labels labels = series.labels().withOverrides(overrides);
                checkLabels(family, labels, scan);
                utf8LabelNames |= scan.utf8;
                if (!seen.add(labels)) {
                    throw reject(RejectionReason.DUPLICATE_SERIES, family, labels, "the same series appears twice in one push");
                }
                Series result = normalise(family, labels == series.labels() ? series : series.withLabels(labels));
                if (normalised == null && result != series) {
                    normalised = new ArrayList<>(pushed.size());
                    normalised.addAll(pushed.subList(0, i));
                }
                if (normalised != null) {
                    normalised.add(result);
                }
                if (!summaries) { // what ValidatedPush.of would work out in a second walk over every series
                    seriesBytes += Footprint.ofNewSeries(result, gaugeCell && result instanceof ScalarSample);
                    magnitude = Math.max(magnitude, Overflow.magnitude(result));
                }
            }
            if (summaries) {
                discarded.add(family); // summaries cannot be added up: checked for type, then dropped
            } else if (!pushed.isEmpty()) {
                toApply.add(normalised == null ? family
                        : new MetricFamily(family.name(), family.type(), family.help(), normalised));
                seriesCount += pushed.size();
                bytesIfNew += Footprint.ofFamily(family.name(), family.help()) + seriesBytes;
            }
        }
        return new ValidatedPush(toApply, discarded, seriesCount, bytesIfNew, magnitude, utf8LabelNames);
    }

    private Map<String, MetricFamily> mergeSameNamedFamilies(List<MetricFamily> families) throws PushRejectedException {
        Map<String, MetricFamily> byName = new LinkedHashMap<>(families.size() * 2);
        for (MetricFamily family : families) {
            MetricFamily earlier = byName.putIfAbsent(family.name(), family);
            if (earlier == null) {
                continue;
            }
            if (earlier.type() != family.type()) {
                throw new PushRejectedException(RejectionReason.TYPE_CONFLICT, "family " + family.name()
                        + ": appears twice in one push, as " + earlier.type().textName()
                        + " and as " + family.type().textName());
            }
            List<Series> all = new ArrayList<>(earlier.series());
            all.addAll(family.series());
            String help = earlier.help().isEmpty() ? family.help() : earlier.help();
            byName.put(family.name(), new MetricFamily(family.name(), family.type(), help, all));
        }
        return byName;
    }

    private void checkGroupingLabels(Labels grouping) throws PushRejectedException {
        List<String> bad = new ArrayList<>();
        grouping.forEach((name, value) -> {
            if (!MetricNames.isValidLabelName(name)) {
                bad.add(name);
            }
        });
        if (!bad.isEmpty()) {
            throw new PushRejectedException(RejectionReason.INVALID_NAME,
                    "grouping label name " + TextFormatting.quote(bad.get(0)) + " is not a valid label name");
        }
    }

    private void checkFamilyName(String name) throws PushRejectedException {
        if (!MetricNames.isValidMetricName(name)) {
            throw new PushRejectedException(RejectionReason.INVALID_NAME,
                    "family " + TextFormatting.quote(name) + ": not a valid metric name (must be non-empty UTF-8)");
        }
        if (reservedPrefix.isEmpty()) {
            return;
        }
        if (name.startsWith(reservedPrefix)) {
            throw new PushRejectedException(RejectionReason.INVALID_NAME, "family " + name
                    + ": the prefix " + reservedPrefix + " is reserved for the gateway's own metrics");
        }
        for (NameEscaping scheme : NameEscaping.ESCAPING) {
            String escaped = scheme.metricName(name);
            if (escaped.startsWith(reservedPrefix)) {
                throw new PushRejectedException(RejectionReason.INVALID_NAME, "family " + name
                        + ": scrapers without UTF-8 support (escaping=" + scheme.parameterValue() + ") would see it as "
                        + escaped + ", and the prefix " + reservedPrefix + " is reserved for the gateway's own metrics");
            }
        }
    }

    private void checkLabels(MetricFamily family, Labels labels, LabelScan scan) throws PushRejectedException {
        if (labels.size() > maxLabelsPerSeries) {
            throw reject(RejectionReason.LABEL_LIMIT_EXCEEDED, family, labels, labels.size()
                    + " labels, more than the limit of " + maxLabelsPerSeries + " (--max-labels-per-series)");
        }
        scan.start(family.type().isHistogram());
        if (labels.hasPlainNames() && labels.encodedSize() <= maxLabelValueBytes && !family.type().isHistogram()) {
            // every name passes and is legacy, and no value is longer than the whole encoding: nothing to look at
            // (a histogram's names are looked at for le)
            return;
        }
        labels.forEachRaw(scan);
        int longest = scan.longestValue;
        if (longest > maxLabelValueBytes) {
            throw reject(RejectionReason.LABEL_LIMIT_EXCEEDED, family, labels, "a label value of " + longest
                    + " bytes, longer than the limit of " + maxLabelValueBytes + " bytes (--max-label-value-bytes)");
        }
        String bad = scan.refusedName();
        if (bad != null) {
            throw reject(RejectionReason.INVALID_NAME, family, labels, "label name " + TextFormatting.quote(bad) + " is "
                    + (bad.equals("le") ? "reserved for histogram buckets" : "not a valid label name"));
        }
        if (scan.utf8) {
            String problem = escapedLabelNameProblem(labels);
            if (problem != null) {
                throw reject(RejectionReason.INVALID_NAME, family, labels, problem);
            }
        }
    }

    /**
     * Why the label names of a series cannot reach scrapers without UTF-8 support, or {@code null}:
     * two that one escaping makes alike ({@code a.b} and {@code a_b} are both {@code a_b} with
     * {@code escaping=underscores}), or one that an escaping makes reserved ({@code .x} would be {@code __x}).
     */
    private static String escapedLabelNameProblem(Labels labels) {
        List<String> names = new ArrayList<>(labels.size());
        labels.forEach((name, value) -> names.add(name));
        for (NameEscaping scheme : NameEscaping.ESCAPING) {
            Map<String, String> byEscaped = new HashMap<>(names.size() * 2);
            for (String name : names) {
                String escaped = scheme.labelName(name);
                String where = " for scrapers without UTF-8 support (escaping=" + scheme.parameterValue() + ")";
                if (escaped.startsWith(MetricNames.RESERVED_LABEL_PREFIX)) {
                    return "label name " + TextFormatting.quote(name) + " would be " + TextFormatting.quote(escaped)
                            + where + ", a reserved name";
                }
                String other = byEscaped.putIfAbsent(escaped, name);
                if (other != null) {
                    return "label names " + TextFormatting.quote(other) + " and " + TextFormatting.quote(name)
                            + " would both be " + TextFormatting.quote(escaped) + where;
                }
            }
        }
        return null;
    }

    private static Series normalise(MetricFamily family, Series series) throws PushRejectedException {
        return switch (series) {
            case ScalarSample scalar -> checkScalar(family, scalar);
            case ClassicHistogram histogram -> normaliseHistogram(family, histogram);
            case NativeHistogram histogram ->
                    NativeHistogramValidator.normalise(family, histogram, PushValidator::normaliseHistogram);
            case SummarySample summary -> summary;
        };
    }

    private static ScalarSample checkScalar(MetricFamily family, ScalarSample sample) throws PushRejectedException {
        if (family.type().isHistogram() || family.type() == MetricType.SUMMARY) {
            throw reject(RejectionReason.INVALID_VALUE, family, sample.labels(),
                    "a plain sample in a " + family.type().textName() + " family");
        }
        double value = sample.value();
        if (!Double.isFinite(value)) {
            throw reject(RejectionReason.INVALID_VALUE, family, sample.labels(),
                    "value " + value + " cannot be added up (only finite values are accepted)");
        }
        if (family.type() == MetricType.COUNTER && value < 0) {
            throw reject(RejectionReason.INVALID_VALUE, family, sample.labels(),
                    "counter value " + value + " is negative");
        }
        return sample;
    }

    private static ClassicHistogram normaliseHistogram(MetricFamily family, ClassicHistogram h) throws PushRejectedException {
        if (!family.type().isHistogram()) {
            throw reject(RejectionReason.INVALID_VALUE, family, h.labels(),
                    "histogram buckets in a " + family.type().textName() + " family");
        }
        double[] bounds = h.upperBounds();
        double[] counts = h.cumulativeCounts();
        for (int i = 0; i < bounds.length; i++) {
            if (Double.isNaN(bounds[i])) {
                throw reject(RejectionReason.INVALID_HISTOGRAM, family, h.labels(), "bucket bound NaN");
            }
            if (i > 0 && bounds[i] <= bounds[i - 1]) {
                throw reject(RejectionReason.INVALID_HISTOGRAM, family, h.labels(),
                        "bucket bounds are not in ascending order (le=" + bounds[i] + " after le=" + bounds[i - 1] + ")");
            }
            if (!Double.isFinite(counts[i]) || counts[i] < 0) {
                throw reject(RejectionReason.INVALID_HISTOGRAM, family, h.labels(),
                        "bucket le=" + bounds[i] + " has count " + counts[i] + " (must be finite and not negative)");
            }
            if (i > 0 && counts[i] < counts[i - 1]) {
                throw reject(RejectionReason.INVALID_HISTOGRAM, family, h.labels(), "buckets are not cumulative: le="
                        + bounds[i] + " has " + counts[i] + ", less than le=" + bounds[i - 1] + " with " + counts[i - 1]);
            }
        }
        boolean hasInf = bounds.length > 0 && bounds[bounds.length - 1] == Double.POSITIVE_INFINITY;
        Double count = h.count();
        if (!hasInf && count == null) {
            throw reject(RejectionReason.INVALID_HISTOGRAM, family, h.labels(), "histogram has neither a +Inf bucket nor _count");
        }
        if (count != null && (!Double.isFinite(count) || count < 0)) {
            throw reject(RejectionReason.INVALID_HISTOGRAM, family, h.labels(), "_count " + count + " is not a finite, non-negative number");
        }
        if (hasInf && count != null && counts[counts.length - 1] != count) {
            throw reject(RejectionReason.INVALID_HISTOGRAM, family, h.labels(), "_count " + count
                    + " differs from the +Inf bucket " + counts[counts.length - 1]);
        }
        if (!hasInf && counts.length > 0 && counts[counts.length - 1] > count) {
            throw reject(RejectionReason.INVALID_HISTOGRAM, family, h.labels(), "_count " + count
                    + " is less than bucket le=" + bounds[bounds.length - 1] + " with " + counts[counts.length - 1]);
        }
        double sum = h.sum() == null ? 0 : h.sum();
        if (!Double.isFinite(sum)) {
            throw reject(RejectionReason.INVALID_HISTOGRAM, family, h.labels(), "_sum " + sum + " cannot be added up");
        }
        if (hasInf) {
            return new ClassicHistogram(h.labels(), bounds, counts, counts[counts.length - 1], sum);
        }
        double[] withInf = Arrays.copyOf(bounds, bounds.length + 1);
        withInf[bounds.length] = Double.POSITIVE_INFINITY;
        double[] countsWithInf = Arrays.copyOf(counts, counts.length + 1);
        countsWithInf[counts.length] = count;
        return new ClassicHistogram(h.labels(), withInf, countsWithInf, count, sum);
    }

    /**
     * One pass over a series' labels for {@link #checkLabels}: the longest value, the first name
     * refused (reserved or empty, or {@code le} in a histogram), whether a name is outside the
     * legacy set. One per push, reused series after series: this runs for every pushed series.
     */
    private static final class LabelScan implements Labels.RawLabelVisitor {
        private boolean histogram;
        int longestValue;
        boolean utf8;
        private byte[] refusedBuf;
        private int refusedOffset;
        private int refusedLength;

        void start(boolean histogram) {
            this.histogram = histogram;
            longestValue = 0;
            utf8 = false;
            refusedBuf = null;
        }

        @Override
        public void visit(byte[] buf, int nameOffset, int nameLength, int valueOffset, int valueLength) {
            longestValue = Math.max(longestValue, valueLength);
            if (refusedBuf == null && (!MetricNames.isValidLabelName(buf, nameOffset, nameLength)
                    || (histogram && nameLength == 2 && buf[nameOffset] == 'l' && buf[nameOffset + 1] == 'e'))) {
                refusedBuf = buf;
                refusedOffset = nameOffset;
                refusedLength = nameLength;
            }
            if (!utf8 && !MetricNames.isLegacyLabelName(buf, nameOffset, nameLength)) {
                utf8 = true;
            }
        }

        /** The first name refused, or null. */
        String refusedName() {
            return refusedBuf == null ? null : new String(refusedBuf, refusedOffset, refusedLength, StandardCharsets.UTF_8);
        }
    }

    static PushRejectedException reject(RejectionReason reason, MetricFamily family, Labels series, String what) {
        return new PushRejectedException(reason, "family " + family.name() + ", series " + series + ": " + what);
    }
}
