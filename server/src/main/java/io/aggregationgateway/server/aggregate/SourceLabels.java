package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The configured source label names, matched on the labels' bytes: this runs for every series
 * of every push while sources are configured, so it decodes nothing.
 */
final class SourceLabels {
    private final byte[][] names;

    SourceLabels(List<String> names) {
        this.names = names.stream().distinct().map(n -> n.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    /** Whether {@code grouping} holds every source label (with a value: empty values are no labels). */
    boolean allIn(Labels grouping) {
        if (names.length == 0 || grouping.size() < names.length) {
            return false;
        }
        int[] found = {0};
        grouping.forEachRaw((buf, nameOffset, nameLength, valueOffset, valueLength) -> {
            if (isSourceName(buf, nameOffset, nameLength)) {
                found[0]++;
            }
        });
        return found[0] == names.length;
    }

    /** Whether any source label is among {@code labels}. */
    boolean anyIn(Labels labels) {
        for (byte[] name : names) {
            if (labels.hasName(name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code labels} without the source labels; the same instance when it has none. */
    Labels strip(Labels labels) {
        if (!anyIn(labels)) {
            return labels;
        }
        Labels.Builder kept = new Labels.Builder();
        labels.forEachRaw((buf, nameOffset, nameLength, valueOffset, valueLength) -> {
            if (!isSourceName(buf, nameOffset, nameLength)) {
                kept.addRaw(buf, nameOffset, nameLength, valueOffset, valueLength);
            }
        });
        return kept.build();
    }

    private boolean isSourceName(byte[] buf, int offset, int length) {
        for (byte[] name : names) {
            if (name.length == length && sameBytes(name, buf, offset)) {
                return true;
            }
        }
        return false;
    }

    /** A plain loop: names are a few bytes, and most differ in length or first byte (Arrays.equals' range checks cost more). */
    private static boolean sameBytes(byte[] name, byte[] buf, int offset) {
        for (int i = 0; i < name.length; i++) {
            if (name[i] != buf[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
