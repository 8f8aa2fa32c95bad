package io.aggregationgateway.server.ingest;

/** The characters of metric and label names, one table lookup per byte. */
final class NameCharacters {
    private static final int METRIC_NAME_START = 1; // [a-zA-Z_:]
    private static final int METRIC_NAME = 2;       // [a-zA-Z0-9_:]
    private static final int LABEL_NAME_START = 4;  // [a-zA-Z_]
    private static final int LABEL_NAME = 8;        // [a-zA-Z0-9_]
    private static final byte[] CLASSES = new byte[256];

    static {
        for (int c = 0; c < 128; c++) {
            int flags = 0;
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            boolean digit = c >= '0' && c <= '9';
            if (letter || c == ':') {
                flags |= METRIC_NAME_START | METRIC_NAME;
            }
            if (digit) {
                flags |= METRIC_NAME | LABEL_NAME;
            }
            if (letter) {
                flags |= LABEL_NAME_START | LABEL_NAME;
            }
            CLASSES[c] = (byte) flags;
        }
    }

    private NameCharacters() {
    }

    static boolean isMetricNameStart(byte c) {
        return (CLASSES[c & 0xff] & METRIC_NAME_START) != 0;
    }

    static boolean isMetricName(byte c) {
        return (CLASSES[c & 0xff] & METRIC_NAME) != 0;
    }

    static boolean isLabelNameStart(byte c) {
        return (CLASSES[c & 0xff] & LABEL_NAME_START) != 0;
    }

    static boolean isLabelName(byte c) {
        return (CLASSES[c & 0xff] & LABEL_NAME) != 0;
    }
}
