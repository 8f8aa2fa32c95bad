package io.aggregationgateway.server.model;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ByteWordsTest {
    /** The lowest flag of matches ORed together is the first byte that is any of them; none at all when no byte is. */
    @Test
    void theLowestFlagIsTheFirstMatchingByte() {
        Random random = new Random(59);
        byte[] alphabet = {'"', '\\', '\n', 'a', 0, 1, (byte) 0x80, (byte) 0xff, '#', ']'};
        byte[] buf = new byte[8];
        for (int i = 0; i < 100_000; i++) {
            for (int b = 0; b < 8; b++) {
                buf[b] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            long word = ByteWords.read(buf, 0);
            long hits = ByteWords.bytesEqualTo(word, '"') | ByteWords.bytesEqualTo(word, '\\') | ByteWords.highBits(word);
            int first = 8;
            for (int b = 7; b >= 0; b--) {
                if (buf[b] == '"' || buf[b] == '\\' || buf[b] < 0) {
                    first = b;
                }
            }
            assertEquals(first, hits == 0 ? 8 : Long.numberOfTrailingZeros(hits) >>> 3, Arrays.toString(buf));
            int newline = 8;
            for (int b = 7; b >= 0; b--) {
                if (buf[b] == '\n') {
                    newline = b;
                }
            }
            long newlines = ByteWords.bytesEqualTo(word, '\n');
            assertEquals(newline, newlines == 0 ? 8 : Long.numberOfTrailingZeros(newlines) >>> 3);
        }
    }

    @Test
    void wordsAreLittleEndianAndWrittenBack() {
        byte[] buf = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertEquals(0x0908070605040302L, ByteWords.read(buf, 1));
        byte[] copy = new byte[9];
        ByteWords.write(copy, 1, ByteWords.read(buf, 1));
        assertEquals(0, copy[0]);
        assertEquals(9, copy[8]);
        assertEquals(2, copy[1]);
    }
}
