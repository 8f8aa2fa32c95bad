package io.aggregationgateway.server.ingest;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8ValidatorTest {

    private static boolean valid(int... bytes) {
        byte[] buf = new byte[bytes.length + 2]; // a byte either side that must not be read
        buf[0] = (byte) 0xff;
        buf[buf.length - 1] = (byte) 0xc3;
        for (int i = 0; i < bytes.length; i++) {
            buf[i + 1] = (byte) bytes[i];
        }
        return Utf8Validator.isValid(buf, 1, buf.length - 1);
    }

    @Test
    void wellFormedSequences() {
        assertTrue(valid());
        assertTrue(valid('a', 'b'));
        assertTrue(valid(0xc2, 0x80));                   // U+0080
        assertTrue(valid(0xe0, 0xa0, 0x80));             // U+0800
        assertTrue(valid(0xed, 0x9f, 0xbf));             // U+D7FF, just below the surrogates
        assertTrue(valid(0xf0, 0x90, 0x80, 0x80));       // U+10000
        assertTrue(valid(0xf4, 0x8f, 0xbf, 0xbf));       // U+10FFFF
    }

    @Test
    void malformedSequences() {
        assertFalse(valid(0x80));                        // a lone continuation byte
        assertFalse(valid(0xc0, 0x80));                  // overlong
        assertFalse(valid(0xc1, 0xbf));                  // overlong
        assertFalse(valid(0xe0, 0x9f, 0xbf));            // overlong
        assertFalse(valid(0xed, 0xa0, 0x80));            // a surrogate
        assertFalse(valid(0xf0, 0x8f, 0xbf, 0xbf));      // overlong
        assertFalse(valid(0xf4, 0x90, 0x80, 0x80));      // above U+10FFFF
        assertFalse(valid(0xf5, 0x80, 0x80, 0x80));
        assertFalse(valid(0xc3));                        // cut at the end of the range
        assertFalse(valid(0xe2, 0x82));
        assertFalse(valid(0xf0, 0x9f, 0x98));
        assertFalse(valid(0xc3, 'a'));
    }

    /** Agrees with the JDK's strict decoder on random short byte strings. */
    @Test
    void agreesWithTheJdkDecoder() {
        Random random = new Random(0x7f8_2024L);
        int[] interesting = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
                0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
        for (int i = 0; i < 100_000; i++) {
            byte[] bytes = new byte[random.nextInt(7)];
            for (int k = 0; k < bytes.length; k++) {
                bytes[k] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : interesting[random.nextInt(interesting.length)]);
            }
            assertEquals(jdkAccepts(bytes), Utf8Validator.isValid(bytes, 0, bytes.length), () -> java.util.HexFormat.of().formatHex(bytes));
        }
    }

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
