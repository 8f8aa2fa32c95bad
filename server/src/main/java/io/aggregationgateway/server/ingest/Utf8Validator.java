package io.aggregationgateway.server.ingest;

/** Strict UTF-8 validation: no overlong forms, no surrogates, nothing above U+10FFFF. */
final class Utf8Validator {
    private Utf8Validator() {
    }

    /** Whether buf[from, to) is valid UTF-8. */
    static boolean isValid(byte[] buf, int from, int to) {
        int i = from;
        while (i < to) {
            int c = buf[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xff;
            if (c < 0xc2) {
                return false;
            }
            if (c < 0xe0) {
                if (i + 1 >= to || (buf[i + 1] & 0xc0) != 0x80) {
                    return false;
                }
                i += 2;
            } else if (c < 0xf0) {
                if (i + 2 >= to) {
                    return false;
                }
                int c1 = buf[i + 1] & 0xff;
                if ((c1 & 0xc0) != 0x80 || (buf[i + 2] & 0xc0) != 0x80
                        || (c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) {
                    return false;
                }
                i += 3;
            } else if (c < 0xf5) {
                if (i + 3 >= to) {
                    return false;
                }
                int c1 = buf[i + 1] & 0xff;
                if ((c1 & 0xc0) != 0x80 || (buf[i + 2] & 0xc0) != 0x80 || (buf[i + 3] & 0xc0) != 0x80
                        || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90)) {
                    return false;
                }
                i += 4;
            } else {
                return false;
            }
        }
        return true;
    }
}
