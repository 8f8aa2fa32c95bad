package io.aggregationgateway.server.headers;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Names in raw bytes compared as HTTP field names are: ASCII letters in any case, all else exactly. */
class AsciiCaseTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("the same", "content-length", "content-length", true),
                arguments("upper and mixed case", "Content-LENGTH", "content-length", true),
                arguments("a digit or hyphen compares exactly", "keep_alive", "keep-alive", false),
                arguments("shorter", "content-lengt", "content-length", false),
                arguments("longer", "content-lengths", "content-length", false),
                arguments("empty against empty", "", "", true),
                // '@' and '[' sit just below 'A' and above 'Z': they must not be folded onto letters
                arguments("the byte below A", "@", "`", false),
                arguments("the byte above Z", "[", "{", false),
                // a non-ASCII byte whose low bits spell a letter is no letter
                arguments("a non-ASCII byte", "\u00c1", "a", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void comparesIgnoringAsciiCaseOnly(String name, String bytes, String lowerCase, boolean expected) {
        // the name sits inside a larger buffer, as in a request head
        byte[] buf = ("xx" + bytes + "yy").getBytes(StandardCharsets.ISO_8859_1);
        int to = 2 + bytes.getBytes(StandardCharsets.ISO_8859_1).length;
        assertEquals(expected, AsciiCase.equalsLowerCase(buf, 2, to, lowerCase.getBytes(StandardCharsets.US_ASCII)));
    }
}
