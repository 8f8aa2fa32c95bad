package io.aggregationgateway.server.grpc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code grpc-message} as the gRPC spec words it: percent-encoded UTF-8, here bounded in length. */
class GrpcStatusMessageTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "counter value -1.0 is negative | counter value -1.0 is negative",
            "bad%41name | bad%2541name",
            "é ☃ | %C3%A9 %E2%98%83",
            "tab\there | tab%09here",
            "~ and DEL\u007f | ~ and DEL%7F",
    })
    void printableAsciiOtherThanPercentStaysAndEveryOtherByteIsEncoded(String description, String encoded) {
        assertEquals(encoded, GrpcStatusMessage.encoded(description));
    }

    @Test
    void aDescriptionThatFitsIsSentWhole() {
        String exactly = "a".repeat(GrpcStatusMessage.MAX_LENGTH);
        assertEquals(exactly, GrpcStatusMessage.encoded(exactly));
    }

    @Test
    void aLongerOneIsCutAtAWholeCharacterAndSaysSo() {
        String description = "é".repeat(3000); // 6000 bytes, 18000 characters encoded
        String encoded = GrpcStatusMessage.encoded(description);
        assertTrue(encoded.length() <= GrpcStatusMessage.MAX_LENGTH, () -> String.valueOf(encoded.length()));
        assertTrue(encoded.endsWith(" [cut: 6000 bytes in all]"), encoded);
        String kept = URLDecoder.decode(encoded.substring(0, encoded.indexOf(" [cut")), StandardCharsets.UTF_8);
        assertFalse(kept.contains("\uFFFD"), "no broken character");
        assertTrue(kept.chars().allMatch(c -> c == 'é'));
        assertTrue(kept.length() > 300);
    }

    @Test
    void theTrailerIsNeverIndexed() {
        // changing headers are written as literals without indexing: the HPACK dynamic table never holds them
        assertTrue(GrpcStatusMessage.header("x".repeat(5000)).changing());
    }
}
