package io.aggregationgateway.server.deploy;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory a replica needs for a given {@code --max-series}, as docs/scale-out.md ("Sizing a
 * replica") works it out from the measured figures in bench/README.md; the manifests' limits are
 * checked against it.
 */
final class ReplicaSizing {
    private static final long MIB = 1024 * 1024;
    /** Live heap per series, rounded up from the measured 197 B at 1M series (179 B at 100k). */
    static final long LIVE_HEAP_BYTES_PER_SERIES = 200;
    /** G1 kept at half occupancy or less: the heap is at least twice what is live. */
    static final long HEAP_PER_LIVE = 2;
    /** In-flight push bodies (16 MiB each at the default --max-body-bytes) and scrape buffers. */
    static final long TRANSIENT_HEAP_BYTES = 256 * MIB;
    /** Off the heap: the empty gateway's RSS (~86 MB measured) plus thread stacks and code cache under load. */
    static final long NON_HEAP_BYTES = 128 * MIB;

    private ReplicaSizing() {
    }

    static long heapBytes(long maxSeries) {
        return HEAP_PER_LIVE * LIVE_HEAP_BYTES_PER_SERIES * maxSeries + TRANSIENT_HEAP_BYTES;
    }

    static long containerBytes(long maxSeries) {
        return heapBytes(maxSeries) + NON_HEAP_BYTES;
    }

    private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?");
    private static final Map<String, Long> FACTORS = Map.of(
            "Ki", 1L << 10, "Mi", 1L << 20, "Gi", 1L << 30, "Ti", 1L << 40,
            "k", 1_000L, "M", 1_000_000L, "G", 1_000_000_000L, "T", 1_000_000_000_000L);

    /** A Kubernetes memory quantity ({@code 1Gi}, {@code 512Mi}, {@code 2G}, plain bytes) in bytes. */
    static long bytes(String quantity) {
        Matcher matcher = QUANTITY.matcher(quantity);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a memory quantity this test reads: " + quantity);
        }
        long factor = matcher.group(2) == null ? 1 : FACTORS.get(matcher.group(2));
        return Long.parseLong(matcher.group(1)) * factor;
    }
}
