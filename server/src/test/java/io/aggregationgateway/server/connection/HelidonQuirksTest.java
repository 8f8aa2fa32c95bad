package io.aggregationgateway.server.connection;

import io.aggregationgateway.server.connection.RawHttp.Exchange;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http2.Http2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Helidon 4.4.0 gets wrong on its own, each the reason for part of this package. A test here
 * failing means Helidon fixed that: the workaround it names may go (and this test with it).
 */
class HelidonQuirksTest {
    private static WebServer helidon;

    @BeforeAll
    static void start() {
        helidon = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .useNio(false) // as the gateway runs it
                .routing(routing -> routing
                        .post("/body", (req, res) -> {
                            try (InputStream in = req.content().inputStream()) {
                                res.send("read " + in.readAllBytes().length + " bytes");
                            }
                        })
                        .get("/", (req, res) -> res.send("OK")))
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        helidon.stop();
    }

    private static Exchange send(String request) throws Exception {
        return RawHttp.exchange(helidon.port(), request, 3000);
    }

    /** {@link ConnectionFrontDoor#withoutDiscoveredProtocols()} sets through configuration what this cannot. */
    @Test
    void discoveringProtocolsCannotBeTurnedOffOnTheServerBuilder() {
        assertEquals(3, WebServer.builder().protocolsDiscoverServices(false).buildPrototype().protocols().size());
        assertEquals(1, WebServer.builder().config(ConnectionFrontDoor.withoutDiscoveredProtocols())
                .addProtocol(Http2Config.create()).buildPrototype().protocols().size());
    }

    /** {@link Http1RequestFramer}: a coding list ending in another coding is taken as no body. */
    @Test
    void chunkedThenIdentityIsReadAsNoBodyAndItsChunksAsTheNextRequest() throws Exception {
        Exchange exchange = send("POST /body HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals(List.of(200, 200), exchange.statuses(), exchange.text());
        assertTrue(exchange.text().contains("read 0 bytes"), exchange.text());
    }

    /** {@link Http1RequestFramer}: the first of two different lengths wins. */
    @Test
    void conflictingContentLengthsAreAccepted() throws Exception {
        Exchange exchange = send("POST /body HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nab");
        assertEquals(List.of(200), exchange.statuses(), exchange.text());
    }

    /**
     * {@link Http1RequestFramer}: chunk extensions, which RFC 9112 allows, fail the body (a 500 with the
     * gateway's error settings; here the connection then hangs, reading the rest as a chunk size).
     */
    @Test
    void aChunkExtensionFailsTheBody() throws Exception {
        Exchange exchange = send("POST /body HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2;e=1\r\nab\r\n0\r\n\r\n");
        assertFalse(exchange.text().contains("read 2 bytes"), exchange.text());
    }

    /** {@link Http1RequestFramer}: HTTP/1.0 requests get no answer (they are closed, or wait for more bytes). */
    @Test
    void anHttp10RequestGetsNoAnswer() throws Exception {
        assertEquals("", send("GET / HTTP/1.0\r\n\r\n").text());
        assertEquals("", send("GET / HTTP/1.0\r\nUser-Agent: a-longer-request\r\n\r\n").text());
    }

    /** {@link Http1RequestFramer}: a request with {@code Connection: close} is answered so, but the connection stays open. */
    @Test
    void connectionCloseIsAnnouncedButNotDone() throws Exception {
        Exchange exchange = send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertTrue(exchange.text().contains("Connection: close"), exchange.text());
        assertFalse(exchange.closed());
    }
}
