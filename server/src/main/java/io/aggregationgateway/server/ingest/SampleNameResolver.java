package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.PushRejectedException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decides, from a sample's name, which family the sample belongs to and what it is there, as
 * Prometheus's Go parser does: {@code h_bucket} is a bucket of a declared histogram {@code h},
 * a name of no declared family is an untyped family of its own, and so on. Names are ranges of
 * one body; the last one is remembered, since samples of one family come one after another.
 */
final class SampleNameResolver {
    private static final byte[] SUFFIX_BUCKET = ascii("_bucket");
    private static final byte[] SUFFIX_COUNT = ascii("_count");
    private static final byte[] SUFFIX_SUM = ascii("_sum");
    private static final byte[] SUFFIX_GCOUNT = ascii("_gcount");
    private static final byte[] SUFFIX_GSUM = ascii("_gsum");
    private static final byte[] SUFFIX_TOTAL = ascii("_total");
    private static final byte[] SUFFIX_INFO = ascii("_info");
    private static final byte[] SUFFIX_CREATED = ascii("_created");

    private final byte[] body;
    private final boolean openMetrics;
    private final FamilyTable families;

    // the last resolved name (a range of body) and what it resolved to; null family: none
    private int lastNameOffset;
    private int lastNameLength;
    private FamilyBuilder lastFamily;
    private SampleRole lastRole;

    SampleNameResolver(byte[] body, boolean openMetrics, FamilyTable families) {
        this.body = body;
        this.openMetrics = openMetrics;
        this.families = families;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The family of the sample named body[nameStart, nameEnd), created if there is none; its
     * role there is then {@link #role()}. Marks the family as having samples.
     *
     * @param line the current line, for errors and for a new family
     * @throws PushRejectedException when the name is a family's own name but its type wants
     *                               suffixed samples (a histogram {@code h} and a sample {@code h})
     */
    FamilyBuilder resolve(int nameStart, int nameEnd, int line) throws PushRejectedException {
        int length = nameEnd - nameStart;
        if (lastFamily != null && length == lastNameLength
                && Arrays.equals(body, nameStart, nameEnd, body, lastNameOffset, lastNameOffset + length)) {
            return lastFamily;
        }
        FamilyBuilder family = families.find(body, nameStart, length, null);
        SampleRole role;
        if (family != null) {
            role = roleOfOwnName(family, line);
        } else if ((family = withoutSuffix(nameStart, nameEnd, SUFFIX_BUCKET)) != null
                && family.type != null && family.type.isHistogram()) {
            role = SampleRole.BUCKET;
        } else if ((family = withoutSuffix(nameStart, nameEnd, SUFFIX_COUNT)) != null
                && (family.type == DeclaredType.HISTOGRAM || family.type == DeclaredType.SUMMARY)) {
            role = family.type == DeclaredType.HISTOGRAM ? SampleRole.HISTOGRAM_COUNT : SampleRole.SUMMARY_COUNT;
        } else if ((family = withoutSuffix(nameStart, nameEnd, SUFFIX_SUM)) != null
                && (family.type == DeclaredType.HISTOGRAM || family.type == DeclaredType.SUMMARY)) {
            role = family.type == DeclaredType.HISTOGRAM ? SampleRole.HISTOGRAM_SUM : SampleRole.SUMMARY_SUM;
        } else if (openMetrics && (family = withoutSuffix(nameStart, nameEnd, SUFFIX_GCOUNT)) != null
                && family.type == DeclaredType.GAUGE_HISTOGRAM) {
            role = SampleRole.HISTOGRAM_COUNT;
        } else if (openMetrics && (family = withoutSuffix(nameStart, nameEnd, SUFFIX_GSUM)) != null
                && family.type == DeclaredType.GAUGE_HISTOGRAM) {
            role = SampleRole.HISTOGRAM_SUM;
        } else if (openMetrics && (family = withoutSuffix(nameStart, nameEnd, SUFFIX_TOTAL)) != null
                && family.type == DeclaredType.COUNTER) {
            role = SampleRole.SCALAR;
        } else if (openMetrics && (family = withoutSuffix(nameStart, nameEnd, SUFFIX_INFO)) != null
                && family.type == DeclaredType.INFO) {
            role = SampleRole.SCALAR;
        } else if ((family = createdOf(nameStart, nameEnd)) != null) {
            role = SampleRole.DROPPED;
        } else {
            family = add(nameStart, nameEnd, line);
            role = SampleRole.SCALAR;
        }
        family.hasSamples = true;
        lastFamily = family;
        lastRole = role;
        lastNameOffset = nameStart;
        lastNameLength = length;
        return family;
    }

    /** The role of the sample passed to the latest {@link #resolve}. */
    SampleRole role() {
        return lastRole;
    }

    /** The family named body[nameStart, nameEnd) by a HELP or TYPE line, created if there is none. */
    FamilyBuilder familyNamed(int nameStart, int nameEnd, int line) {
        FamilyBuilder family = families.find(body, nameStart, nameEnd - nameStart, null);
        return family != null ? family : add(nameStart, nameEnd, line);
    }

    /** Records a TYPE line's type, which changes what names resolve to. */
    void declare(FamilyBuilder family, DeclaredType type) {
        family.type = type;
        lastFamily = null;
    }

    private FamilyBuilder add(int nameStart, int nameEnd, int line) {
        lastFamily = null; // the new family may be what the last name resolves to now
        return families.add(body, nameStart, nameEnd, line);
    }

    /** For a sample named exactly like its family. */
    private SampleRole roleOfOwnName(FamilyBuilder family, int line) throws PushRejectedException {
        if (family.type == null) {
            return SampleRole.SCALAR;
        }
        String name = family.name;
        return switch (family.type) {
            case GAUGE, UNTYPED, STATESET, UNKNOWN -> SampleRole.SCALAR;
            case COUNTER -> {
                if (openMetrics) {
                    throw ParseErrors.atLine(line, "expected sample name " + quote(name + "_total") + " or "
                            + quote(name + "_created") + " for counter " + quote(name) + ", found " + quote(name));
                }
                yield SampleRole.SCALAR;
            }
            case INFO -> throw ParseErrors.atLine(line, "expected sample name " + quote(name + "_info")
                    + " for info " + quote(name) + ", found " + quote(name));
            case HISTOGRAM -> throw ParseErrors.atLine(line, "expected sample name " + quote(name + "_bucket") + ", "
                    + quote(name + "_count") + " or " + quote(name + "_sum") + " for histogram "
                    + quote(name) + ", found " + quote(name));
            case GAUGE_HISTOGRAM -> throw ParseErrors.atLine(line, "expected sample name " + quote(name + "_bucket")
                    + ", " + quote(name + "_gcount") + " or " + quote(name + "_gsum") + " for gaugehistogram "
                    + quote(name) + ", found " + quote(name));
            case SUMMARY -> SampleRole.QUANTILE;
        };
    }

    private static String quote(String s) {
        return ParseErrors.quote(s);
    }

    /** The family named like body[nameStart, nameEnd) without {@code suffix}, if the name ends with it. */
    private FamilyBuilder withoutSuffix(int nameStart, int nameEnd, byte[] suffix) {
        int length = nameEnd - nameStart - suffix.length;
        if (length <= 0 || !Arrays.equals(body, nameEnd - suffix.length, nameEnd, suffix, 0, suffix.length)) {
            return null;
        }
        return families.find(body, nameStart, length, null);
    }

    /** For a sample {@code N_created}: a counter {@code N} or {@code N_total}, a histogram or summary {@code N}. */
    private FamilyBuilder createdOf(int nameStart, int nameEnd) {
        FamilyBuilder family = withoutSuffix(nameStart, nameEnd, SUFFIX_CREATED);
        if (family != null && (family.type == DeclaredType.COUNTER || family.type == DeclaredType.HISTOGRAM
                || family.type == DeclaredType.SUMMARY)) {
            return family;
        }
        int length = nameEnd - nameStart - SUFFIX_CREATED.length;
        if (length > 0 && Arrays.equals(body, nameEnd - SUFFIX_CREATED.length, nameEnd,
                SUFFIX_CREATED, 0, SUFFIX_CREATED.length)) {
            family = families.find(body, nameStart, length, SUFFIX_TOTAL);
            if (family != null && family.type == DeclaredType.COUNTER) {
                return family;
            }
        }
        return null;
    }
}
