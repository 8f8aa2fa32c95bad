package io.aggregationgateway.server.connection;

import io.aggregationgateway.server.headers.AsciiCase;

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
        for (FramingField field : NAMED) {
            if (AsciiCase.equalsLowerCase(buf, from, to, field.lowerCase)) {
                return field;
            }
        }
        return OTHER;
    }
}
