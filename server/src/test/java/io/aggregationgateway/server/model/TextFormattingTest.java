package io.aggregationgateway.server.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextFormattingTest {

    @ParameterizedTest
    @CsvSource({
            "0.1, 0.1",
            "2.5, 2.5",
            "1e-5, 1e-05",
            "1.5e-7, 1.5e-07",
            "0.0001, 0.0001",
            "0.00012, 0.00012",
            "100000.5, 100000.5",
            "123456.5, 123456.5",
            "1234567.5, 1.2345675e+06",
            "1e6, 1e+06",
            "1e20, 1e+20",
            "1e300, 1e+300",
            "1.7976931348623157e308, 1.7976931348623157e+308",
            "-0.25, -0.25",
            "-3e-9, -3e-09",
            "0.30000000000000004, 0.30000000000000004",
            "12345, 12345",
            "-0.0, -0",
            "NaN, NaN",
            "Infinity, +Inf",
            "-Infinity, -Inf",
    })
    void goFloatMatchesStrconvFormatFloatG(double value, String expected) {
        assertEquals(expected, TextFormatting.goFloat(value));
    }

    @ParameterizedTest
    @CsvSource({
            "1700000000000, 1700000000",
            "1700000000250, 1700000000.25",
            "1700000000005, 1700000000.005",
            "1700000000100, 1700000000.1",
            "1700000000999, 1700000000.999",
            "0, 0",
            "999, 0.999",
            "-1500, -1.5",
    })
    void epochSecondsAreExactMillisecondDecimals(long millis, String expected) {
        assertEquals(expected, TextFormatting.epochSeconds(millis));
        assertEquals(millis / 1000.0, Double.parseDouble(expected));
    }

    @ParameterizedTest
    @CsvSource({
            "0.0, 0.0",
            "-0.0, 0.0",
            "1, 1.0",
            "-1, -1.0",
            "100, 100.0",
            "0.005, 0.005",
            "2.5, 2.5",
            "1e6, 1e+06",
            "1e-5, 1e-05",
            "Infinity, +Inf",
            "-Infinity, -Inf",
    })
    void leIsInCanonicalForm(double bound, String expected) {
        assertEquals(expected, TextFormatting.canonicalBound(bound));
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "-0.0, -0",
            "3, 3",
            "-42, -42",
            "999999999999999, 999999999999999",
            "1e15, 1.0E15",
            "1.5e-7, 1.5E-7",
            "1e20, 1.0E20",
            "0.1, 0.1",
            "NaN, NaN",
            "Infinity, +Inf",
            "-Infinity, -Inf",
    })
    void sampleValuesAsTheTextFormatWritesThem(double value, String expected) {
        assertEquals(expected, TextFormatting.sampleValue(value));
    }

    @Test
    void labelValuesAndHelpAreEscapedAsTheTextFormatsReadThem() {
        assertEquals("x\\\\y\\\"z\\nw\t\u00fc", escape(true, "x\\y\"z\nw\t\u00fc"));
        assertEquals("x\\\\y\"z\\nw\t\u00fc", escape(false, "x\\y\"z\nw\t\u00fc"));
    }

    /** Values copied whole up to their first escape: none, at the start, at the end, and a range inside a buffer. */
    @Test
    void labelValuesAreEscapedWhereverTheirFirstEscapeFalls() {
        assertEquals("", escape(true, ""));
        assertEquals("/api/v1/items/417", escape(true, "/api/v1/items/417"));
        assertEquals("\\\\\\\"ab", escape(true, "\\\"ab"));
        assertEquals("ab\\\\n\\n", escape(true, "ab\\n\n"));
        byte[] src = "xx\"q\"y|rest".getBytes(StandardCharsets.UTF_8);
        byte[] dst = new byte[16];
        int end = TextFormatting.escapeLabelValue(src, 2, 4, dst, 3);
        assertEquals("\\\"q\\\"y", new String(dst, 3, end - 3, StandardCharsets.UTF_8));
    }

    /** Eight bytes at a time, the tail overlapping: the same answer as a look at each byte, for any range. */
    @Test
    void whetherARangeNeedsEscapingIsWhatEachByteSays() {
        Random random = new Random(53);
        byte[] alphabet = "ab/_=,\\\"\n\u00fc".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20_000; i++) {
            byte[] buf = new byte[random.nextInt(40)];
            boolean rare = random.nextBoolean();
            for (int b = 0; b < buf.length; b++) {
                buf[b] = rare && random.nextInt(20) > 0 ? (byte) 'x' : alphabet[random.nextInt(alphabet.length)];
            }
            int from = buf.length == 0 ? 0 : random.nextInt(buf.length);
            int to = from + random.nextInt(buf.length - from + 1);
            boolean expected = false;
            for (int b = from; b < to; b++) {
                expected |= buf[b] == '\\' || buf[b] == '"' || buf[b] == '\n';
            }
            assertEquals(expected, TextFormatting.needsLabelValueEscape(buf, from, to),
                    Arrays.toString(Arrays.copyOfRange(buf, from, to)));
        }
        byte[] edges = "\"xxxxxxxxxxxxxxxxx\\".getBytes(StandardCharsets.UTF_8); // escapes just outside the range
        assertFalse(TextFormatting.needsLabelValueEscape(edges, 1, edges.length - 1));
        assertTrue(TextFormatting.needsLabelValueEscape(edges, 1, edges.length));
        assertTrue(TextFormatting.needsLabelValueEscape(edges, 0, edges.length - 1));
    }

    private static String escape(boolean labelValue, String s) {
        byte[] src = s.getBytes(StandardCharsets.UTF_8);
        byte[] dst = new byte[1 + 2 * src.length]; // written from position 1: the returned end is a position
        int end = labelValue ? TextFormatting.escapeLabelValue(src, 0, src.length, dst, 1)
                : TextFormatting.escapeHelp(src, 0, src.length, dst, 1);
        return new String(Arrays.copyOfRange(dst, 1, end), StandardCharsets.UTF_8);
    }

    @Test
    void quotesForMessagesShowControlCharactersAndCutLongText() {
        assertEquals("\"a\\\"b\\\\c\\nd\\te\\rf\\x01g\\x7fh\u00fc\"", TextFormatting.quote("a\"b\\c\nd\te\rf\u0001g\u007fh\u00fc"));
        assertEquals("\"" + "x".repeat(40) + "\"", TextFormatting.quote("x".repeat(40)));
        assertEquals("\"" + "x".repeat(40) + "...\"", TextFormatting.quote("x".repeat(41)));
        assertEquals("\"\"", TextFormatting.quote(""));
    }
}
