package io.aggregationgateway.server.connection;

import io.aggregationgateway.server.connection.RawHttp.Exchange;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * HTTP/1.x framing through the real server, with raw sockets: what a proxy in front could read
 * differently is refused with a message and the connection closed, and nothing of it is applied;
 * what RFC 9112 allows is answered.
 */
class Http1FramingTest {
    private static final String PUSH = "POST /metrics/job/f HTTP/1.1\r\nHost: gw\r\n";
    private static final String BODY = "framed_total 1\n";
    /** A push hidden where a lax reader would see a second request. */
    private static final String SMUGGLED = "POST /metrics/job/smuggled HTTP/1.1\r\nHost: gw\r\nContent-Length: 17\r\n\r\nsmuggled_total 1\n";
    private static final String LAST = "GET /-/healthy HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n";

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
    void empty() {
        gateway.aggregator.reset();
    }

    private static Exchange send(String request) throws Exception {
        return RawHttp.exchange(gateway.port(), request, 10_000);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                arguments("two conflicting Content-Lengths", 400, "conflicting Content-Length headers: 15 and 5",
                        PUSH + "Content-Length: 15\r\nContent-Length: 5\r\n\r\n" + BODY),
                arguments("Content-Length with Transfer-Encoding", 400, "both Content-Length and Transfer-Encoding",
                        PUSH + "Content-Length: 20\r\nTransfer-Encoding: chunked\r\n\r\nf\r\n" + BODY + "\r\n0\r\n\r\n"),
                arguments("chunked, identity", 400, "does not end in chunked",
                        PUSH + "Transfer-Encoding: chunked, identity\r\n\r\n" + SMUGGLED),
                arguments("a negative Content-Length", 400, "invalid Content-Length \"-1\"",
                        PUSH + "Content-Length: -1\r\n\r\n" + SMUGGLED),
                arguments("a malformed chunk size", 400, "invalid chunk size line",
                        PUSH + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + BODY + "\r\n0\r\n\r\n"),
                arguments("a negative chunk size", 400, "invalid chunk size line",
                        PUSH + "Transfer-Encoding: chunked\r\n\r\n-f\r\n" + BODY + "\r\n0\r\n\r\n"),
                arguments("a chunk longer than its size", 400, "chunk data longer than its chunk size",
                        PUSH + "Transfer-Encoding: chunked\r\n\r\n2\r\n" + BODY + "\r\n0\r\n\r\n" + SMUGGLED),
                arguments("space before a colon", 400, "invalid header field name \"Content-Length \"",
                        PUSH + "Content-Length : 15\r\n\r\n" + BODY),
                arguments("a folded header", 400, "obsolete line folding", PUSH + "X-A: 1\r\n 2\r\nContent-Length: 15\r\n\r\n" + BODY),
                arguments("a bare LF", 400, "LF without CR", "POST /metrics/job/f HTTP/1.1\nHost: gw\nContent-Length: 15\n\n" + BODY),
                arguments("a transfer coding the gateway cannot decode", 501, "transfer coding gzip is not supported",
                        PUSH + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
                arguments("a 100 KB URL", 414, "request line longer than 8192 bytes",
                        "GET /metrics?" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: gw\r\n\r\n"),
                arguments("10,000 headers", 431, "more than 128 header fields", "GET /metrics HTTP/1.1\r\nHost: gw\r\n"
                        + Stream.iterate(0, i -> i + 1).limit(10_000).map(i -> "X-H" + i + ": v\r\n").reduce("", String::concat) + "\r\n"),
                arguments("a header section over 16 KiB", 431, "header section larger than 16384 bytes",
                        "GET /metrics HTTP/1.1\r\nHost: gw\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"),
                arguments("HTTP/2.0 in a request line", 505, "HTTP version 2.0 is not supported", "GET / HTTP/2.0\r\nHost: gw\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void framingThatCouldBeReadTwoWaysIsRefusedAndTheConnectionClosed(String name, int status, String message, String request)
            throws Exception {
        Exchange exchange = send(request);
        assertEquals(List.of(status), exchange.statuses(), exchange.text());
        assertTrue(exchange.closed(), "the connection must be closed: " + exchange.text());
        assertTrue(exchange.text().contains(message.replace("\"", "&quot;")) || exchange.text().contains(message), exchange.text());
        assertEquals("", gateway.scrape(), "nothing applied");
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                arguments("chunk extensions", PUSH + "Transfer-Encoding: chunked\r\n\r\n4;ext=1\r\nfram\r\nb;a=\"q\"\r\ned_total 1\n\r\n0\r\n\r\n"),
                arguments("trailer fields", PUSH + "Transfer-Encoding: chunked\r\n\r\nf\r\n" + BODY + "\r\n0\r\nX-Checksum: 1\r\n\r\n"),
                arguments("Transfer-Encoding: Chunked", PUSH + "Transfer-Encoding: Chunked\r\n\r\nf\r\n" + BODY + "\r\n0\r\n\r\n"),
                arguments("two equal Content-Lengths", PUSH + "Content-Length: 15\r\nContent-Length: 15\r\n\r\n" + BODY),
                arguments("an empty line before the request", "\r\n" + PUSH + "Content-Length: 15\r\n\r\n" + BODY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void whatRfc9112AllowsIsAnswered(String name, String request) throws Exception {
        Exchange exchange = send(request + LAST);
        assertEquals(List.of(200, 200), exchange.statuses(), exchange.text());
        assertEquals("# TYPE framed_total untyped\nframed_total{job=\"f\"} 1\n", gateway.scrape());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String push = PUSH + "Content-Length: 15\r\n\r\n" + BODY;
        Exchange exchange = send(push + "GET /nowhere HTTP/1.1\r\nHost: gw\r\n\r\n" + push + LAST);
        assertEquals(List.of(200, 404, 200, 200), exchange.statuses(), exchange.text());
        assertEquals("# TYPE framed_total untyped\nframed_total{job=\"f\"} 2\n", gateway.scrape());
    }

    @Test
    void aRefusedRequestAfterAGoodOneLeavesTheGoodOneAnswered() throws Exception {
        Exchange exchange = send(PUSH + "Content-Length: 15\r\n\r\n" + BODY + "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n");
        assertEquals(List.of(200, 400), exchange.statuses(), exchange.text());
        assertTrue(exchange.closed());
    }

    @Test
    void anHttp10HealthCheckIsAnsweredAndClosed() throws Exception {
        Exchange healthy = send("GET /-/healthy HTTP/1.0\r\n\r\n");
        assertEquals(List.of(200), healthy.statuses(), healthy.text());
        assertEquals("OK\n", healthy.lastBody());
        assertTrue(healthy.closed(), "HTTP/1.0 without keep-alive: closed after the answer");

        Exchange haproxy = send("OPTIONS / HTTP/1.0\r\n\r\n"); // HAProxy's default httpchk counts only 2xx and 3xx as up
        assertEquals(List.of(200), haproxy.statuses(), haproxy.text());
        assertTrue(haproxy.text().contains("Allow: GET, HEAD, OPTIONS"), haproxy.text());
        assertTrue(haproxy.closed());
    }

    @Test
    void anHttp10ScrapeComesWithoutChunking() throws Exception {
        StringBuilder body = new StringBuilder("# TYPE wide_total counter\n");
        for (int i = 0; i < 5000; i++) {
            body.append("wide_total{i=\"").append(i).append("\"} 1\n");
        }
        assertEquals(200, gateway.pushText("/metrics/job/w", body.toString()).statusCode());
        String expected = gateway.scrape();
        assertTrue(expected.length() > 100_000, "large enough to be streamed");

        Exchange scrape = send("GET /metrics HTTP/1.0\r\nHost: gw\r\nConnection: keep-alive\r\n\r\n");
        assertEquals(List.of(200), scrape.statuses());
        String head = scrape.text().substring(0, scrape.text().indexOf("\r\n\r\n"));
        assertFalse(head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding"), head);
        assertTrue(head.contains("Connection: close"), head);
        assertEquals(expected, scrape.lastBody());
        assertTrue(scrape.closed());
    }
}
