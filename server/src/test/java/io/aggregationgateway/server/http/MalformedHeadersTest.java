package io.aggregationgateway.server.http;

import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every header the gateway reads, sent malformed through a real server: a 400 whose message
 * names the header, and nothing changed. Well-formed but unusual values still work.
 */
class MalformedHeadersTest {
    private static final String BODY = "# TYPE up gauge\nup 1\n";
    private static RunningGateway gateway;

    @BeforeAll
    static void start() {
        gateway = new RunningGateway("--self-metrics", "false");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @BeforeEach
    void empty() throws Exception {
        gateway.aggregator.reset();
        assertEquals(200, gateway.pushText("/metrics/job/before", BODY).statusCode());
    }

    private static HttpResponse<byte[]> push(String header, String value) throws Exception {
        return gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/a")).header(header, value)
                .POST(HttpRequest.BodyPublishers.ofString(BODY)));
    }

    private static HttpResponse<byte[]> scrape(String header, String value) throws Exception {
        return gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics")).header(header, value));
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static Stream<Arguments> malformedContentTypes() {
        return Stream.of(
                arguments(";", "malformed Content-Type header \";\" at character 1: expected a media type (type/subtype)"),
                arguments("text", "malformed Content-Type header \"text\" at the end: expected \"/\""),
                arguments("/plain", "malformed Content-Type header \"/plain\" at character 1: expected a media type (type/subtype)"),
                arguments("text/plain; version", "malformed Content-Type header \"text/plain; version\" at the end: expected \"=\""),
                arguments("text/plain; version=", "malformed Content-Type header \"text/plain; version=\" at the end: expected a parameter value"),
                arguments("text/plain; charset=\"utf-8", "malformed Content-Type header \"text/plain; charset=\\\"utf-8\" at character 21: unterminated quoted string"),
                arguments("text/plain, application/openmetrics-text",
                        "malformed Content-Type header \"text/plain, application/openmetrics-text\" at character 11: expected \";\" or the end"),
                arguments("application/vnd.google.protobuf; proto=\"io.prometheus.client.MetricFamily; encoding=delimited",
                        "malformed Content-Type header"));
    }

    @ParameterizedTest(name = "Content-Type: {0}")
    @MethodSource("malformedContentTypes")
    void aMalformedContentTypeIsA400NamingIt(String value, String message) throws Exception {
        String before = gateway.scrape();
        HttpResponse<byte[]> response = push("Content-Type", value);
        assertEquals(400, response.statusCode(), body(response));
        assertTrue(body(response).startsWith(message), body(response));
        assertEquals(before, gateway.scrape());
    }

    static Stream<Arguments> malformedAcceptEncodings() {
        return Stream.of(
                arguments(";", "malformed Accept-Encoding header \";\" at character 1: expected a content coding"),
                arguments("gzip, ;", "malformed Accept-Encoding header \"gzip, ;\" at character 7: expected a content coding"),
                arguments("gzip;q=abc", "malformed Accept-Encoding header \"gzip;q=abc\" at character 8: expected a weight from 0 to 1 with at most 3 decimals"),
                arguments("gzip;q=2", "malformed Accept-Encoding header \"gzip;q=2\" at character 8: expected a weight from 0 to 1 with at most 3 decimals"),
                arguments("gzip;level=9", "malformed Accept-Encoding header \"gzip;level=9\" at character 6: expected q=weight"),
                arguments("\"gzip\"", "malformed Accept-Encoding header \"\\\"gzip\\\"\" at character 1: expected a content coding"));
    }

    @ParameterizedTest(name = "Accept-Encoding: {0}")
    @MethodSource("malformedAcceptEncodings")
    void aMalformedAcceptEncodingIsA400NamingIt(String value, String message) throws Exception {
        HttpResponse<byte[]> response = scrape("Accept-Encoding", value);
        assertEquals(400, response.statusCode(), body(response));
        assertEquals(message + "\n", body(response));
    }

    @Test
    void aMalformedContentEncodingIsA400NamingIt() throws Exception {
        // Helidon reads this header itself, before the push handler
        HttpResponse<byte[]> response = push("Content-Encoding", ";");
        assertEquals(400, response.statusCode(), body(response));
        assertTrue(body(response).toLowerCase(java.util.Locale.ROOT).contains("content encoding"), body(response));
    }

    @Test
    void aMalformedAcceptFallsBackToText() throws Exception {
        // as Prometheus's own clients do: a scrape is never refused over Accept
        HttpResponse<byte[]> response = scrape("Accept", ";");
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void unusualButWellFormedValuesWork() throws Exception {
        assertEquals(200, push("Content-Type", "TEXT/Plain ;; Version=0.0.4; charset=\"utf-8\"").statusCode());
        assertEquals(200, push("Content-Type", "application/x-unknown").statusCode()); // unknown: read as text
        assertEquals(200, push("Content-Type", "").statusCode());

        HttpResponse<byte[]> gzip = scrape("Accept-Encoding", " , GZIP ; Q=0.5 ,, ");
        assertEquals(200, gzip.statusCode());
        assertEquals("gzip", gzip.headers().firstValue("Content-Encoding").orElseThrow());
        // an explicit q=0 for gzip outweighs the wildcard
        HttpResponse<byte[]> refused = scrape("Accept-Encoding", "gzip;q=0, *");
        assertEquals(200, refused.statusCode());
        assertFalse(refused.headers().firstValue("Content-Encoding").isPresent());
        HttpResponse<byte[]> wildcard = scrape("Accept-Encoding", "br, *;q=0.1");
        assertEquals("gzip", wildcard.headers().firstValue("Content-Encoding").orElseThrow());
    }
}
