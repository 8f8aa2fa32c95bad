package io.aggregationgateway.server.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoNumberSyntaxTest {

    private static double parseFloat(String s) throws GoNumberSyntax.InvalidNumber {
        // inside a larger buffer, to check that only the range is read
        byte[] buf = ("xx" + s + "yy").getBytes(StandardCharsets.US_ASCII);
        return GoNumberSyntax.parseFloat(buf, 2, buf.length - 2);
    }

    private static long parseInt64(String s) throws GoNumberSyntax.InvalidNumber {
        byte[] buf = ("7" + s + "7").getBytes(StandardCharsets.US_ASCII);
        return GoNumberSyntax.parseInt64(buf, 1, buf.length - 1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0                    | 0.0",
            "-0                   | -0.0",
            "-0.000               | -0.0",
            "0e100000000          | 0.0",
            "1                    | 1.0",
            "+1.5                 | 1.5",
            "-2.25                | -2.25",
            ".5                   | 0.5",
            "5.                   | 5.0",
            "0.1                  | 0.1",
            "1e3                  | 1000.0",
            "1E-3                 | 0.001",
            "1e+3                 | 1000.0",
            "12.5e-1              | 1.25",
            "1e22                 | 1e22",
            "1e23                 | 1e23",
            "9007199254740993     | 9007199254740992",
            "123456789012345678901234567890 | 1.2345678901234568E29",
            "0.30000000000000004  | 0.30000000000000004",
            "1e-400               | 0.0",
            "1e-100000000         | 0.0",
            "1.7976931348623157e308 | 1.7976931348623157e308",
            "4.9e-324             | 4.9e-324",
    })
    void decimals(String text, double expected) throws Exception {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(parseFloat(text)), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inf", "Inf", "+inf", "INF", "infinity", "+Infinity", "iNfInItY"})
    void positiveInfinity(String text) throws Exception {
        assertEquals(Double.POSITIVE_INFINITY, parseFloat(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-inf", "-Inf", "-infinity", "-INFINITY"})
    void negativeInfinity(String text) throws Exception {
        assertEquals(Double.NEGATIVE_INFINITY, parseFloat(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nan", "NaN", "NAN", "nAn"})
    void notANumberValue(String text) throws Exception {
        assertTrue(Double.isNaN(parseFloat(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+", "-", ".", "+.", "e5", "1e", "1e+", "1e-", "1.2.3", "1_000", " 1", "1 ",
            "0x10", "1f", "1d", "--1", "+-1", "in", "infinit", "infinityy", "infx", "+nan", "-nan", "nan1", "na"})
    void syntaxErrors(String text) {
        GoNumberSyntax.InvalidNumber invalid = assertThrows(GoNumberSyntax.InvalidNumber.class, () -> parseFloat(text));
        assertFalse(invalid.outOfRange(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e309", "-1e309", "1e100000000", "1.8e308", "179769313486231580793728971405303415079934"
            + "132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657"
            + "488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475"
            + "2927190741684443655107043427115596995080930428801779041744977920000000000"})
    void overflowIsOutOfRange(String text) {
        GoNumberSyntax.InvalidNumber invalid = assertThrows(GoNumberSyntax.InvalidNumber.class, () -> parseFloat(text));
        assertTrue(invalid.outOfRange(), text);
    }

    /** The exact fast path must round exactly as the general one. */
    @Test
    void fastPathAgreesWithDoubleParseDouble() throws Exception {
        Random random = new Random(0x6f_2024L);
        for (int i = 0; i < 50_000; i++) {
            // up to 19 digits (a non-negative long), a point somewhere in them or none, an exponent or none
            StringBuilder digits = new StringBuilder(Long.toString(random.nextLong() >>> (1 + random.nextInt(63))));
            if (random.nextBoolean()) {
                digits.insert(digits.length() - random.nextInt(Math.min(digits.length(), 8) + 1), '.');
            }
            String sign = switch (random.nextInt(3)) {
                case 0 -> "-";
                case 1 -> "+";
                default -> "";
            };
            String exponent = random.nextBoolean() ? "e" + (random.nextInt(61) - 30) : "";
            String text = sign + digits + exponent;
            double expected = Double.parseDouble(text);
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(parseFloat(text)), text);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0                    | 0",
            "-0                   | 0",
            "+5                   | 5",
            "-5                   | -5",
            "1700000000000        | 1700000000000",
            "9223372036854775807  | 9223372036854775807",
            "-9223372036854775808 | -9223372036854775808",
    })
    void integers(String text, long expected) throws Exception {
        assertEquals(expected, parseInt64(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+", "-", "1.0", "1e3", "0x10", " 1", "1 ", "--1", "1_000"})
    void integerSyntaxErrors(String text) {
        GoNumberSyntax.InvalidNumber invalid = assertThrows(GoNumberSyntax.InvalidNumber.class, () -> parseInt64(text));
        assertFalse(invalid.outOfRange(), text);
    }

    /** As in Go, an overflow is reported where it happens, before a later bad character is seen. */
    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "-9223372036854775809", "99999999999999999999",
            "99999999999999999999x"})
    void integerOverflowIsOutOfRange(String text) {
        GoNumberSyntax.InvalidNumber invalid = assertThrows(GoNumberSyntax.InvalidNumber.class, () -> parseInt64(text));
        assertTrue(invalid.outOfRange(), text);
    }
}
