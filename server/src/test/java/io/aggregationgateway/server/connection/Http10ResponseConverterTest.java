package io.aggregationgateway.server.connection;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Http10ResponseConverterTest {
    private static String convert(String response, int piece) {
        Http10ResponseConverter converter = new Http10ResponseConverter();
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < bytes.length; at += piece) {
            byte[] part = new byte[Math.min(piece, bytes.length - at)];
            System.arraycopy(bytes, at, part, 0, part.length);
            out.writeBytes(converter.convert(part));
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 10_000})
    void aChunkedResponseLosesItsChunkingAndEndsWithTheConnection(int piece) {
        assertEquals("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nhello, world\n",
                convert("HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
                        + "5\r\nhello\r\n8\r\n, world\n\r\n0\r\n\r\n", piece));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10_000})
    void aResponseWithALengthPassesUnchanged(int piece) {
        String response = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nOK\n";
        assertEquals(response, convert(response, piece));
    }
}
