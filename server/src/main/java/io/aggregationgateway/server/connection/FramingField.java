package io.aggregationgateway.server.connection;

import java.nio.charset.StandardCharsets;

/** The header fields {@link Http1RequestFramer} reads; every other field is copied through unread. */
enum FramingField {
    CONTENT_LENGTH("content-length"),
    TRANSFER_ENCODING("transfer-encoding"),
    HOST("host"),
    CONNECTION("connection"),
    KEEP_ALIVE("keep-alive"),
    EXPECT("expect"),
    OTHER("");

    private static final FramingField[] NAMED = {CONTENT_LENGTH, TRANSFER_ENCODING, HOST, CONNECTION, KEEP_ALIVE, EXPECT};

    private final byte[] lowerCase;

    FramingField(String lowerCase) {
        this.lowerCase = lowerCase.getBytes(StandardCharsets.US_ASCII);
    }

    /** The field named by buf[from, to), compared ignoring ASCII case, without making a string. */
    static FramingField of(byte[] buf, int from, int to) {
        int length = to - from;
        for (FramingField field : NAMED) {
            if (field.lowerCase.length == length && field.matches(buf, from)) {
                return field;
            }
        }
        return OTHER;
    }

    private boolean matches(byte[] buf, int from) {
        for (int i = 0; i < lowerCase.length; i++) {
            int b = buf[from + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerCase[i]) {
                return false;
            }
        }
        return true;
    }
}
