package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.MetricType;

/**
 * The snapshot file's numbers: magic, version, record kinds, field numbers and enum values, as
 * {@code docs/persistence.md} describes them. A number here never changes meaning once released:
 * a later build reads every earlier version.
 */
final class SnapshotFormat {
    /** {@code \x89AGS\r\n\x1a\n}: a non-ASCII first byte and the line endings a text transfer would mangle. */
    static final byte[] MAGIC = {(byte) 0x89, 'A', 'G', 'S', '\r', '\n', 0x1a, '\n'};
    /** The version this build writes, and the newest it reads. */
    static final int VERSION = 2;
    /** Magic, version (4 bytes), CRC-32C of both (4 bytes). */
    static final int HEADER_BYTES = MAGIC.length + 8;
    /** Length (4 bytes) and CRC-32C (4 bytes) before each frame's payload. */
    static final int FRAME_HEADER_BYTES = 8;
    /** A frame is closed once its payload reaches this: big enough to amortise its 8 bytes, small enough to check as it comes. */
    static final int FRAME_TARGET_BYTES = 256 * 1024;
    /** The largest payload a reader accepts; a record is never split, so a frame may pass the target by one record. */
    static final int MAX_FRAME_BYTES = 64 * 1024 * 1024;

    // Record kinds: the field number of each record in a frame's payload.
    static final int META = 1;
    static final int FAMILY = 2;
    static final int SCALAR = 3;
    static final int CLASSIC = 4;
    static final int NATIVE = 5;
    static final int GAUGE = 6;
    static final int SOURCE = 7;
    static final int TABLE = 8;
    static final int END = 15;

    // Meta
    static final int META_TAKEN_AT = 1;
    static final int META_LAST_RESET = 2;
    static final int META_WRITER = 3;
    static final int META_SOURCE_LABEL = 4;
    static final int META_NEXT_SOURCE_ID = 5;

    // Family
    static final int FAMILY_NAME = 1;
    static final int FAMILY_TYPE = 2;
    static final int FAMILY_HELP = 3;
    static final int FAMILY_GAUGE_MODE = 4;

    // Fields every series record has (Scalar, Classic, Native, Gauge)
    static final int LABELS_SHARED = 1;
    static final int LABELS_REST = 2;
    static final int PUSHED = 3;
    /** Since version 2: when the series began, the start time scrapes show; a series of version 1 began at its last push. */
    static final int STARTED = 22;

    // Scalar
    static final int SCALAR_VALUE = 4;

    // Classic, and the count and sum of Native
    static final int COUNT = 5;
    static final int SUM = 6;
    static final int BOUNDS = 7;
    static final int CUMULATIVE = 8;

    // Native
    static final int SCHEMA = 9;
    static final int ZERO_THRESHOLD = 10;
    static final int ZERO_COUNT = 11;
    static final int FLOAT_COUNTS = 12;
    static final int POSITIVE_INDEX = 13;
    static final int POSITIVE_COUNT = 14;
    static final int NEGATIVE_INDEX = 15;
    static final int NEGATIVE_COUNT = 16;
    static final int HAS_CLASSIC = 17;
    static final int CLASSIC_BOUNDS = 18;
    static final int CLASSIC_CUMULATIVE = 19;
    static final int CLASSIC_COUNT = 20;
    static final int CLASSIC_SUM = 21;

    // Gauge
    static final int DELTA_PUSHES = 5;
    static final int DELTA = 6;
    static final int DELTA_ORDER = 7;
    static final int SOURCE_ID = 8;
    static final int SOURCE_VALUE = 9;
    static final int SOURCE_ORDER = 10;
    static final int UPDATES = 11;
    static final int HAS_DELTA = 12;

    // Source
    static final int SOURCE_KEY = 1;
    static final int SOURCE_ID_OF = 2;
    static final int SOURCE_PUSHED = 3;

    // Table
    static final int TABLE_FAMILY = 1;
    static final int TABLE_TYPE = 2;

    // End
    static final int END_FAMILIES = 1;
    static final int END_SERIES = 2;
    static final int END_SOURCES = 3;
    static final int END_STATES = 4;

    private SnapshotFormat() {
    }

    static int typeNumber(MetricType type) {
        return switch (type) {
            case COUNTER -> 1;
            case GAUGE -> 2;
            case UNTYPED -> 3;
            case HISTOGRAM -> 4;
            case GAUGE_HISTOGRAM -> 5;
            case SUMMARY -> throw new IllegalArgumentException("summaries are never stored");
        };
    }

    /** The type numbered {@code number}, or {@code null}. */
    static MetricType type(long number) {
        return switch ((int) number) {
            case 1 -> MetricType.COUNTER;
            case 2 -> MetricType.GAUGE;
            case 3 -> MetricType.UNTYPED;
            case 4 -> MetricType.HISTOGRAM;
            case 5 -> MetricType.GAUGE_HISTOGRAM;
            default -> null;
        };
    }

    /** 0 for a family whose gauges simply add up. */
    static int modeNumber(GaugeMode mode) {
        if (mode == null) {
            return 0;
        }
        return switch (mode) {
            case SUM -> 1;
            case MAX -> 2;
            case MIN -> 3;
            case LAST -> 4;
            case AVG -> 5;
        };
    }

    /** The mode numbered {@code number}; {@code null} for 0 (plain adding) and for numbers without a mode. */
    static GaugeMode mode(long number) {
        return switch ((int) number) {
            case 1 -> GaugeMode.SUM;
            case 2 -> GaugeMode.MAX;
            case 3 -> GaugeMode.MIN;
            case 4 -> GaugeMode.LAST;
            case 5 -> GaugeMode.AVG;
            default -> null;
        };
    }
}
