package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.HeldLabels;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.TextFormatting;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The families of one {@link TextFormatParser} call, and the rules for which family a sample
 * belongs to and what it is there, as Prometheus's Go parser has them: {@code h_bucket} is a
 * bucket of a declared histogram {@code h}, a name of no declared family is an untyped family of
 * its own, and so on. The parser reads the lines and hands over names, metadata and samples;
 * everything about a family is decided and kept here.
 *
 * <p>Names are byte ranges, of the body or, for a quoted name with escapes, of an array of its
 * own; they are looked up by their bytes (an open-addressing table), so that no String is made per
 * sample, also with a suffix such as {@code _total} appended. The last sample's name is remembered,
 * since samples of one family come one after another.
 */
final class TextFamilies {
    private static final String CREATED = "_created";
    private static final byte[] SUFFIX_BUCKET = ascii("_bucket");
    private static final byte[] SUFFIX_COUNT = ascii("_count");
    private static final byte[] SUFFIX_SUM = ascii("_sum");
    private static final byte[] SUFFIX_GCOUNT = ascii("_gcount");
    private static final byte[] SUFFIX_GSUM = ascii("_gsum");
    private static final byte[] SUFFIX_TOTAL = ascii("_total");
    private static final byte[] SUFFIX_INFO = ascii("_info");
    private static final byte[] SUFFIX_CREATED = ascii(CREATED);

    /** What a sample line is to its family, decided by its name and the family's declared type. */
    enum Role {
        /** a counter, gauge, untyped, info or stateset sample */
        SCALAR(null, null, null),
        BUCKET("le", null, "histogram bucket"),
        HISTOGRAM_COUNT(null, "le", null),
        HISTOGRAM_SUM(null, "le", null),
        /** a summary's quantile: its value is not kept, as quantiles cannot be added up */
        QUANTILE("quantile", null, "summary"),
        SUMMARY_COUNT(null, "quantile", null),
        SUMMARY_SUM(null, "quantile", null),
        /** a {@code _created} sample: checked, then dropped */
        DROPPED(null, null, null);

        /** the label that holds the bucket's bound or the quantile, not a label of the series; or null */
        final String specialLabel;
        final byte[] specialLabelBytes;
        /** what its value is called in messages */
        final String specialValueName;
        /** a label the sample may not carry, or null */
        final byte[] forbiddenLabel;
        /** what a sample that must carry the special label is, for the message when it does not */
        final String specialSampleKind;

        Role(String specialLabel, String forbiddenLabel, String specialSampleKind) {
            this.specialLabel = specialLabel;
            this.specialLabelBytes = specialLabel == null ? null : ascii(specialLabel);
            this.specialValueName = "value of label \"" + specialLabel + "\"";
            this.forbiddenLabel = forbiddenLabel == null ? null : ascii(forbiddenLabel);
            this.specialSampleKind = specialSampleKind;
        }
    }

    private final boolean openMetrics;
    /** the label sets a store holds already, which a sample's labels are looked up in before they are built */
    private final HeldLabels held;
    private final ArrayList<Family> inOrder = new ArrayList<>();
    private Family[] slots = new Family[64];

    // the current sample: its name (a range of sampleBuf, never modified), its family and its role
    // there; the family is null when the next sample's name must be looked up again (a new family or
    // a TYPE may change it)
    private byte[] sampleBuf;
    private int sampleStart;
    private int sampleLength;
    private Family family;
    private Role role;

    TextFamilies(boolean openMetrics, HeldLabels held) {
        this.openMetrics = openMetrics;
        this.held = held;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // -------------------------------------------------------------------------- metadata

    /**
     * The family a {@code # HELP} line for buf[nameStart, nameEnd) names, created if there is
     * none, for {@link #setHelp} once the text is read.
     *
     * @throws PushRejectedException when the family has a HELP line already
     */
    Family helpOf(byte[] buf, int nameStart, int nameEnd, int line) throws PushRejectedException {
        Family named = named(buf, nameStart, nameEnd, line);
        if (named.help != null) {
            throw TextFormatParser.malformed(line, "second HELP line for metric name " + TextFormatting.quote(named.name));
        }
        return named;
    }

    void setHelp(Family named, String help) {
        named.help = help;
    }

    /**
     * A {@code # TYPE} line for buf[nameStart, nameEnd).
     *
     * @throws PushRejectedException when the family has a type already, or samples
     */
    void declare(byte[] buf, int nameStart, int nameEnd, DeclaredType type, int line) throws PushRejectedException {
        Family named = named(buf, nameStart, nameEnd, line);
        if (named.type != null) {
            throw TextFormatParser.malformed(line, "second TYPE line for metric name " + TextFormatting.quote(named.name));
        }
        if (named.hasSamples) {
            throw TextFormatParser.malformed(line, "TYPE line for metric name " + TextFormatting.quote(named.name)
                    + " after its samples");
        }
        named.type = type;
        family = null; // what names resolve to has changed
    }

    /** The family named buf[nameStart, nameEnd), created if there is none. */
    private Family named(byte[] buf, int nameStart, int nameEnd, int line) {
        Family named = find(buf, nameStart, nameEnd - nameStart, null);
        return named != null ? named : add(buf, nameStart, nameEnd, line);
    }

    // --------------------------------------------------------------------------- samples

    /**
     * Starts a sample named buf[nameStart, nameEnd), which must not change afterwards: finds its
     * family, created if there is none, and returns its role there, which says how the parser treats
     * the {@code le} and {@code quantile} labels. {@link #add} then files the sample.
     *
     * @throws PushRejectedException when the name is a family's own name but its type wants
     *                               suffixed samples (a histogram {@code h} and a sample {@code h})
     */
    Role startSample(byte[] buf, int nameStart, int nameEnd, int line) throws PushRejectedException {
        int length = nameEnd - nameStart;
        if (family != null && length == sampleLength
                && Arrays.equals(buf, nameStart, nameEnd, sampleBuf, sampleStart, sampleStart + length)) {
            return role;
        }
        Family found = find(buf, nameStart, length, null);
        Role foundRole;
        if (found != null) {
            foundRole = roleOfOwnName(found, line);
        } else if ((found = withoutSuffix(buf, nameStart, nameEnd, SUFFIX_BUCKET)) != null
                && found.type != null && found.type.isHistogram()) {
            foundRole = Role.BUCKET;
        } else if ((found = withoutSuffix(buf, nameStart, nameEnd, SUFFIX_COUNT)) != null
                && (found.type == DeclaredType.HISTOGRAM || found.type == DeclaredType.SUMMARY)) {
            foundRole = found.type == DeclaredType.HISTOGRAM ? Role.HISTOGRAM_COUNT : Role.SUMMARY_COUNT;
        } else if ((found = withoutSuffix(buf, nameStart, nameEnd, SUFFIX_SUM)) != null
                && (found.type == DeclaredType.HISTOGRAM || found.type == DeclaredType.SUMMARY)) {
            foundRole = found.type == DeclaredType.HISTOGRAM ? Role.HISTOGRAM_SUM : Role.SUMMARY_SUM;
        } else if (openMetrics && (found = withoutSuffix(buf, nameStart, nameEnd, SUFFIX_GCOUNT)) != null
                && found.type == DeclaredType.GAUGE_HISTOGRAM) {
            foundRole = Role.HISTOGRAM_COUNT;
        } else if (openMetrics && (found = withoutSuffix(buf, nameStart, nameEnd, SUFFIX_GSUM)) != null
                && found.type == DeclaredType.GAUGE_HISTOGRAM) {
            foundRole = Role.HISTOGRAM_SUM;
        } else if (openMetrics && (found = withoutSuffix(buf, nameStart, nameEnd, SUFFIX_TOTAL)) != null
                && found.type == DeclaredType.COUNTER) {
            foundRole = Role.SCALAR;
        } else if (openMetrics && (found = withoutSuffix(buf, nameStart, nameEnd, SUFFIX_INFO)) != null
                && found.type == DeclaredType.INFO) {
            foundRole = Role.SCALAR;
        } else if ((found = createdOf(buf, nameStart, nameEnd)) != null) {
            foundRole = Role.DROPPED;
        } else {
            found = add(buf, nameStart, nameEnd, line);
            foundRole = Role.SCALAR;
        }
        found.hasSamples = true;
        family = found;
        role = foundRole;
        sampleBuf = buf;
        sampleStart = nameStart;
        sampleLength = length;
        return foundRole;
    }

    /**
     * The length of the last sample's name when buf[pos, end) starts with it and that name still
     * resolves as it did (no family or TYPE came since), else -1: then a sample with that name has
     * the last one's role, and its name need not be scanned or looked up. Whether the name ends
     * there is the caller's to check.
     */
    int lastNameAt(byte[] buf, int pos, int end) {
        int length = sampleLength;
        if (family == null || end - pos < length
                || !Arrays.equals(buf, pos, pos + length, sampleBuf, sampleStart, sampleStart + length)) {
            return -1;
        }
        return length;
    }

    /**
     * The label sets held for the current sample's family, to build its labels with
     * ({@link Labels.Builder#buildWith(Labels, Labels.Known)}): asked for once per family, by the
     * name the family will have in the result. A {@code _created} sample's labels are dropped: none.
     */
    Labels.Known heldLabels() {
        if (role == Role.DROPPED) {
            return Labels.Known.NONE;
        }
        Family f = family;
        Labels.Known known = f.held;
        if (known == null) {
            known = f.held = held.ofFamily(f.outputName(openMetrics));
        }
        return known;
    }

    /** The role of a sample whose name {@link #lastNameAt} found. */
    Role lastRole() {
        return role;
    }

    /**
     * Files the sample {@link #startSample} started.
     *
     * @param bound the bucket's {@code le}, for a {@link Role#BUCKET}
     * @throws PushRejectedException on a second {@code _count} or {@code _sum} for one series
     */
    void add(Labels labels, double value, double bound, int line) throws PushRejectedException {
        Family f = family;
        switch (role) {
            case SCALAR -> f.addScalar(labels, value);
            case BUCKET -> f.parts(labels).addBucket(bound, value, line);
            case HISTOGRAM_COUNT, SUMMARY_COUNT -> {
                SeriesParts parts = f.parts(labels);
                if (parts.count != null) {
                    throw duplicateSample(f, labels, line);
                }
                parts.count = value;
            }
            case HISTOGRAM_SUM, SUMMARY_SUM -> {
                SeriesParts parts = f.parts(labels);
                if (parts.sum != null) {
                    throw duplicateSample(f, labels, line);
                }
                parts.sum = value;
            }
            case QUANTILE -> f.parts(labels); // the series exists, its quantiles are not kept
            case DROPPED -> {
            }
        }
    }

    private PushRejectedException duplicateSample(Family f, Labels labels, int line) {
        String type = role == Role.SUMMARY_COUNT || role == Role.SUMMARY_SUM ? "summary" : "histogram";
        return TextFormatParser.malformed(line, "duplicate sample " + sampleName() + " for " + type + " "
                + TextFormatting.quote(f.name) + " series " + labels);
    }

    /** The current sample's name, quoted. */
    String sampleName() {
        return TextFormatting.quote(new String(sampleBuf, sampleStart, sampleLength, StandardCharsets.UTF_8));
    }

    /** For a sample named exactly like its family. */
    private Role roleOfOwnName(Family named, int line) throws PushRejectedException {
        if (named.type == null) {
            return Role.SCALAR;
        }
        String name = named.name;
        return switch (named.type) {
            case GAUGE, UNTYPED, STATESET, UNKNOWN -> Role.SCALAR;
            case COUNTER -> {
                if (openMetrics) {
                    throw TextFormatParser.malformed(line, "expected sample name " + quote(name + "_total") + " or "
                            + quote(name + "_created") + " for counter " + quote(name) + ", found " + quote(name));
                }
                yield Role.SCALAR;
            }
            case INFO -> throw TextFormatParser.malformed(line, "expected sample name " + quote(name + "_info")
                    + " for info " + quote(name) + ", found " + quote(name));
            case HISTOGRAM -> throw TextFormatParser.malformed(line, "expected sample name " + quote(name + "_bucket")
                    + ", " + quote(name + "_count") + " or " + quote(name + "_sum") + " for histogram "
                    + quote(name) + ", found " + quote(name));
            case GAUGE_HISTOGRAM -> throw TextFormatParser.malformed(line, "expected sample name "
                    + quote(name + "_bucket") + ", " + quote(name + "_gcount") + " or " + quote(name + "_gsum")
                    + " for gaugehistogram " + quote(name) + ", found " + quote(name));
            case SUMMARY -> Role.QUANTILE;
        };
    }

    private static String quote(String s) {
        return TextFormatting.quote(s);
    }

    /** The family named like buf[nameStart, nameEnd) without {@code suffix}, if the name ends with it. */
    private Family withoutSuffix(byte[] buf, int nameStart, int nameEnd, byte[] suffix) {
        int length = nameEnd - nameStart - suffix.length;
        if (length <= 0 || !Arrays.equals(buf, nameEnd - suffix.length, nameEnd, suffix, 0, suffix.length)) {
            return null;
        }
        return find(buf, nameStart, length, null);
    }

    /** For a sample {@code N_created}: a counter {@code N} or {@code N_total}, a histogram or summary {@code N}. */
    private Family createdOf(byte[] buf, int nameStart, int nameEnd) {
        Family of = withoutSuffix(buf, nameStart, nameEnd, SUFFIX_CREATED);
        if (of != null && (of.type == DeclaredType.COUNTER || of.type == DeclaredType.HISTOGRAM
                || of.type == DeclaredType.SUMMARY)) {
            return of;
        }
        int length = nameEnd - nameStart - SUFFIX_CREATED.length;
        if (length > 0 && Arrays.equals(buf, nameEnd - SUFFIX_CREATED.length, nameEnd,
                SUFFIX_CREATED, 0, SUFFIX_CREATED.length)) {
            of = find(buf, nameStart, length, SUFFIX_TOTAL);
            if (of != null && of.type == DeclaredType.COUNTER) {
                return of;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------- the name table

    /** The family named buf[offset, offset+length) followed by {@code suffix} (may be null), or null. */
    private Family find(byte[] buf, int offset, int length, byte[] suffix) {
        int hash = hash(buf, offset, length, suffix);
        int mask = slots.length - 1;
        int total = length + (suffix == null ? 0 : suffix.length);
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Family f = slots[i];
            if (f == null) {
                return null;
            }
            byte[] key = f.nameBytes;
            if (f.hash == hash && key.length == total
                    && Arrays.equals(key, 0, length, buf, offset, offset + length)
                    && (suffix == null || Arrays.equals(key, length, total, suffix, 0, suffix.length))) {
                return f;
            }
        }
    }

    /** Adds a family named buf[from, to), which must not be in the table yet. */
    private Family add(byte[] buf, int from, int to, int line) {
        family = null; // the new family may be what the last sample's name resolves to now
        Family added = new Family(Arrays.copyOfRange(buf, from, to), hash(buf, from, to - from, null), line);
        if ((inOrder.size() + 1) * 2 > slots.length) { // at most half full: probe sequences stay short
            Family[] old = slots;
            slots = new Family[old.length * 2];
            for (Family o : old) {
                if (o != null) {
                    insert(o);
                }
            }
        }
        insert(added);
        inOrder.add(added);
        return added;
    }

    private void insert(Family f) {
        int mask = slots.length - 1;
        int i = f.hash & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = f;
    }

    private static int hash(byte[] buf, int offset, int length, byte[] suffix) {
        int h = 1;
        for (int i = offset, end = offset + length; i < end; i++) {
            h = 31 * h + buf[i];
        }
        if (suffix != null) {
            for (byte c : suffix) {
                h = 31 * h + c;
            }
        }
        return h ^ (h >>> 16) ^ (h >>> 7);
    }

    // ---------------------------------------------------------------------------- result

    /**
     * The families that have samples, in first-mention order, without the standalone
     * {@code _created} ones.
     *
     * @throws PushRejectedException when two families end up with one name (an OpenMetrics
     *                               counter {@code c} and a gauge {@code c_total}, say), or on a
     *                               histogram with a duplicate bucket
     */
    List<MetricFamily> result() throws PushRejectedException {
        ArrayList<MetricFamily> out = new ArrayList<>(inOrder.size());
        Map<String, MetricFamily> byName = new HashMap<>();
        boolean createdCandidates = false;
        for (Family f : inOrder) {
            if (f.isEmpty()) {
                continue;
            }
            String name = f.outputName(openMetrics);
            MetricFamily result = new MetricFamily(name, f.outputType(), f.help, f.series());
            if (byName.putIfAbsent(name, result) != null) {
                throw TextFormatParser.malformed(f.firstLine, "family " + quote(name) + " appears twice (as "
                        + quote(f.name) + " of type " + result.type().textName() + " and earlier)");
            }
            out.add(result);
            createdCandidates |= name.endsWith(CREATED);
        }
        if (!createdCandidates) {
            return out;
        }
        ArrayList<MetricFamily> kept = new ArrayList<>(out.size());
        for (MetricFamily f : out) {
            if (!isStandaloneCreated(f, byName)) {
                kept.add(f);
            }
        }
        return kept;
    }

    /**
     * A gauge or untyped {@code N_created} next to a counter {@code N_total} or {@code N}, or a
     * histogram or summary {@code N}: client_python writes those in 0.0.4, and they are not
     * series of their own.
     */
    private static boolean isStandaloneCreated(MetricFamily f, Map<String, MetricFamily> byName) {
        String name = f.name();
        if (!name.endsWith(CREATED) || (f.type() != MetricType.GAUGE && f.type() != MetricType.UNTYPED)) {
            return false;
        }
        String base = name.substring(0, name.length() - CREATED.length());
        MetricFamily total = byName.get(base + "_total");
        if (total != null && total.type() == MetricType.COUNTER) {
            return true;
        }
        MetricFamily same = byName.get(base);
        return same != null && (same.type() == MetricType.COUNTER
                || same.type() == MetricType.HISTOGRAM || same.type() == MetricType.SUMMARY);
    }

    /** One family: its name, declared type and HELP, and the series collected for it so far. */
    static final class Family {
        private final byte[] nameBytes;
        private final int hash;
        private final String name;
        /** where the family was first mentioned, the line of an error about the whole family */
        private final int firstLine;
        /** null until a TYPE line declares one */
        private DeclaredType type;
        /** null until a HELP line gives one */
        private String help;
        /** a TYPE line must come before the family's samples */
        private boolean hasSamples;
        /** the store's label sets of the family, once its first sample asked: by then its type (and result name) is settled */
        private Labels.Known held;

        private ArrayList<Series> scalars;
        /** histogram or summary series: their samples are collected into one series each */
        private LinkedHashMap<Labels, SeriesParts> parts;
        // a series' samples usually come one after another: the last one is looked up first
        private SeriesParts lastParts;

        private Family(byte[] nameBytes, int hash, int firstLine) {
            this.nameBytes = nameBytes;
            this.hash = hash;
            this.name = new String(nameBytes, StandardCharsets.UTF_8);
            this.firstLine = firstLine;
        }

        private void addScalar(Labels labels, double value) {
            if (scalars == null) {
                scalars = new ArrayList<>();
            }
            scalars.add(new ScalarSample(labels, value));
        }

        /** The histogram or summary series of these labels, created on its first sample. */
        private SeriesParts parts(Labels labels) {
            SeriesParts last = lastParts;
            if (last != null && last.labels.equals(labels)) {
                return last;
            }
            if (parts == null) {
                parts = new LinkedHashMap<>();
            }
            SeriesParts series = parts.get(labels);
            if (series == null) {
                series = new SeriesParts(labels);
                parts.put(labels, series);
            }
            lastParts = series;
            return series;
        }

        private boolean isEmpty() {
            return (scalars == null || scalars.isEmpty()) && (parts == null || parts.isEmpty());
        }

        /** The family's name in the result: OpenMetrics names a counter and an info by their sample names. */
        private String outputName(boolean openMetrics) {
            if (openMetrics && type == DeclaredType.COUNTER) {
                return name + "_total";
            }
            if (openMetrics && type == DeclaredType.INFO) {
                return name + "_info";
            }
            return name;
        }

        private MetricType outputType() {
            return type == null ? MetricType.UNTYPED : type.metricType();
        }

        /**
         * The collected series, in the order of their first samples.
         *
         * @throws PushRejectedException on a histogram with a duplicate bucket
         */
        private List<Series> series() throws PushRejectedException {
            if (scalars != null && !scalars.isEmpty()) {
                return scalars;
            }
            ArrayList<Series> out = new ArrayList<>(parts.size());
            for (SeriesParts series : parts.values()) {
                out.add(type == DeclaredType.SUMMARY ? series.toSummary() : series.toHistogram(name));
            }
            return out;
        }
    }
}
