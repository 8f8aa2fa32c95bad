package io.aggregationgateway.server.http;

import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A body read whole, whichever way its length is known: the same bytes, the same refusals. */
class BodyReaderTest {
    private static final int LIMIT = 16 * 1024 * 1024;

    @Test
    void aBodyOfItsAnnouncedLengthIsReadWhole() throws Exception {
        byte[] body = bytes(700_000); // a 10,000-series protobuf push: over readNBytes's 16 KiB chunk
        byte[] read = BodyReader.read(new ByteArrayInputStream(body), null, LIMIT, body.length);
        assertArrayEquals(body, read);
    }

    @Test
    void aStreamThatEndsBeforeTheAnnouncedLengthGivesWhatCame() throws Exception {
        byte[] body = bytes(5_000);
        byte[] read = BodyReader.read(new ByteArrayInputStream(body), null, LIMIT, 8_000);
        assertArrayEquals(body, read); // the decoder then says what is cut off, as before
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefused() {
        byte[] body = bytes(2_000);
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> BodyReader.read(new ByteArrayInputStream(body), null, 1_000, -1));
        assertEquals(RejectionReason.TOO_LARGE, e.reason());
    }

    @Test
    void aLengthThatNeverArrivesGivesWhatCame() throws Exception {
        // a header promising the whole limit, then three bytes: read as they come, not into an array of the limit
        InputStream three = new ByteArrayInputStream(new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, BodyReader.read(three, null, LIMIT, LIMIT));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8));
        }
        return b;
    }
}
