package io.aggregationgateway.server.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON writer against Jackson, a strict parser of its own: what goes in comes out, and nothing breaks out. */
class JsonWriterTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    static String allControlChars() {
        StringBuilder s = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            s.append(c);
        }
        return s.append('\u007f').toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "", "quote \" and backslash \\ and slash /", "</script><script>alert(1)</script>",
            "<!-- & -->", "line\nbreak\r\ttab", "\u2028\u2029", "emoji \uD83D\uDE00 ünïcödé", "{\"json\":\"in json\"}",
            "lone \uD800 surrogate"})
    void hostileStringsRoundTripExactly(String hostile) throws Exception {
        String json = new JsonWriter().beginObject().name(hostile).value(hostile).endObject().toJson();
        JsonNode parsed = JACKSON.readTree(json);
        assertEquals(hostile, parsed.get(hostile).asText());
        assertFalse(json.contains("<") || json.contains(">") || json.contains("&"), json);
        assertFalse(json.contains("\u2028") || json.contains("\u2029"), json);
        assertTrue(java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(json), "UTF-8 can carry it: " + json);
    }

    @Test
    void everyControlCharIsEscaped() throws Exception {
        String controls = allControlChars();
        String json = new JsonWriter().value(controls).toJson();
        for (char c : controls.toCharArray()) {
            assertEquals(-1, json.indexOf(c), "raw char " + (int) c + " in " + json);
        }
        assertEquals(controls, JACKSON.readTree(json).asText());
    }

    @Test
    void structureNumbersAndNull() throws Exception {
        String json = new JsonWriter().beginObject()
                .name("a").beginArray().value(1).value(2.5).value(Double.NaN).value(Double.POSITIVE_INFINITY).endArray()
                .name("b").beginObject().endObject()
                .name("c").value(true)
                .name("d").nullValue()
                .name("e").value((String) null)
                .name("f").value(3.0)
                .name("g").value(-0.001)
                .name("h").beginArray().beginObject().name("x").value(Long.MIN_VALUE).endObject().beginArray().endArray().endArray()
                .endObject().toJson();
        assertEquals("{\"a\":[1,2.5,null,null],\"b\":{},\"c\":true,\"d\":null,\"e\":null,\"f\":3,\"g\":-0.001,"
                + "\"h\":[{\"x\":-9223372036854775808},[]]}", json);
        assertTrue(JACKSON.readTree(json).isObject());
    }

    @Test
    void unclosedStructuresAreAProgrammingError() {
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().toJson());
    }
}
