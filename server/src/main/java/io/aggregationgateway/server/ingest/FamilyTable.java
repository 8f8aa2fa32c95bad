package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.PushRejectedException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The families of one parse by name, in the order they were first mentioned, and the result
 * made of them. Names are looked up by their bytes in the body (an open-addressing table), so
 * that no String is made per sample, also with a suffix such as {@code _total} appended.
 */
final class FamilyTable {
    private static final String CREATED = "_created";

    private final ArrayList<FamilyBuilder> inOrder = new ArrayList<>();
    private FamilyBuilder[] slots = new FamilyBuilder[64];

    /** The family named buf[offset, offset+length) followed by {@code suffix} (may be null), or null. */
    FamilyBuilder find(byte[] buf, int offset, int length, byte[] suffix) {
        int hash = hash(buf, offset, length, suffix);
        int mask = slots.length - 1;
        int total = length + (suffix == null ? 0 : suffix.length);
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            FamilyBuilder family = slots[i];
            if (family == null) {
                return null;
            }
            byte[] key = family.nameBytes;
            if (family.hash == hash && key.length == total
                    && Arrays.equals(key, 0, length, buf, offset, offset + length)
                    && (suffix == null || Arrays.equals(key, length, total, suffix, 0, suffix.length))) {
                return family;
            }
        }
    }

    /** Adds a family named buf[from, to), which must not be in the table yet. */
    FamilyBuilder add(byte[] buf, int from, int to, int line) {
        FamilyBuilder family = new FamilyBuilder(Arrays.copyOfRange(buf, from, to), hash(buf, from, to - from, null), line);
        if ((inOrder.size() + 1) * 2 > slots.length) { // at most half full: probe sequences stay short
            FamilyBuilder[] old = slots;
            slots = new FamilyBuilder[old.length * 2];
            for (FamilyBuilder o : old) {
                if (o != null) {
                    insert(o);
                }
            }
        }
        insert(family);
        inOrder.add(family);
        return family;
    }

    private void insert(FamilyBuilder family) {
        int mask = slots.length - 1;
        int i = family.hash & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = family;
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

    /**
     * The families that have samples, in first-mention order, without the standalone
     * {@code _created} ones.
     *
     * @throws PushRejectedException when two families end up with one name (an OpenMetrics
     *                               counter {@code c} and a gauge {@code c_total}, say), or on a
     *                               histogram with a duplicate bucket
     */
    List<MetricFamily> toMetricFamilies(boolean openMetrics) throws PushRejectedException {
        ArrayList<MetricFamily> out = new ArrayList<>(inOrder.size());
        Map<String, MetricFamily> byName = new HashMap<>();
        boolean createdCandidates = false;
        for (FamilyBuilder builder : inOrder) {
            if (builder.isEmpty()) {
                continue;
            }
            String name = builder.outputName(openMetrics);
            MetricFamily family = new MetricFamily(name, builder.outputType(), builder.help, builder.series());
            if (byName.putIfAbsent(name, family) != null) {
                throw ParseErrors.atLine(builder.firstLine, "family " + ParseErrors.quote(name) + " appears twice (as "
                        + ParseErrors.quote(builder.name) + " of type " + family.type().textName() + " and earlier)");
            }
            out.add(family);
            createdCandidates |= name.endsWith(CREATED);
        }
        if (!createdCandidates) {
            return out;
        }
        ArrayList<MetricFamily> kept = new ArrayList<>(out.size());
        for (MetricFamily family : out) {
            if (!isStandaloneCreated(family, byName)) {
                kept.add(family);
            }
        }
        return kept;
    }

    /**
     * A gauge or untyped {@code N_created} next to a counter {@code N_total} or {@code N}, or a
     * histogram or summary {@code N}: client_python writes those in 0.0.4, and they are not
     * series of their own.
     */
    private static boolean isStandaloneCreated(MetricFamily family, Map<String, MetricFamily> byName) {
        String name = family.name();
        if (!name.endsWith(CREATED)
                || (family.type() != MetricType.GAUGE && family.type() != MetricType.UNTYPED)) {
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
}
