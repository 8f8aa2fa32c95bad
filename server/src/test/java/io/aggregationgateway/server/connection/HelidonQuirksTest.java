package io.aggregationgateway.server.connection;

import io.aggregationgateway.server.connection.RawHttp.Exchange;
import io.helidon.common.buffers.DataReader;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http2.Http2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Helidon 4.4.0's HTTP/1.1 side gets wrong on its own, each the reason for part of this package
 * (one, {@code BodyReader}'s, of the http package). A test here failing means Helidon fixed that: the
 * workaround it names may go (and this test with it).
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
                        .post("/body-failure", (req, res) -> {
                            try (InputStream in = req.content().inputStream()) {
                                res.send("read " + in.readAllBytes().length + " bytes");
                            } catch (RuntimeException e) {
                                res.send("failed: " + e.getClass().getName());
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

    /** Helidon's gRPC reflection feature, off unless configured, is the one server feature on the class path. */
    @Test
    void theServerConfigurationDiscoversNoServerFeatures() {
        assertEquals(List.of("grpc-reflection"), WebServer.builder().buildPrototype().features().stream()
                .map(feature -> feature.type()).toList());
        assertEquals(List.of(), WebServer.builder().config(ConnectionFrontDoor.withoutDiscoveredProtocols())
                .buildPrototype().features());
    }

    /** {@link Http1RequestFramer}: a coding list ending in another coding is taken as no body. */
    @Test
    void chunkedThenIdentityIsReadAsNoBodyAndItsChunksAsTheNextRequest() throws Exception {
        Exchange exchange = send("POST /body HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals(List.of(200, 200), exchange.statuses(), exchange.text());
        assertTrue(exchange.text().contains("read 0 bytes"), exchange.text());
    }

    /** {@link Http1RequestFramer}: {@code Chunked}, which RFC 9112 reads as {@code chunked}, is taken as no body. */
    @Test
    void capitalisedChunkedIsReadAsNoBody() throws Exception {
        Exchange exchange = send("POST /body HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
                + "2\r\nab\r\n0\r\n\r\n");
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

    /** {@link Http1RequestFramer}: a length next to {@code Transfer-Encoding} is accepted, and one of them framed the body. */
    @Test
    void contentLengthWithTransferEncodingIsAccepted() throws Exception {
        Exchange exchange = send("POST /body HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nab\r\n0\r\n\r\n");
        assertEquals(200, exchange.statuses().get(0), exchange.text());
    }

    /** {@link Http1RequestFramer}: trailer fields, which RFC 9112 allows, fail the request. */
    @Test
    void trailerFieldsAreRefused() throws Exception {
        Exchange exchange = send("POST /body HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX-T: 1\r\n\r\n");
        assertEquals(List.of(400), exchange.statuses(), exchange.text());
    }

    /** {@link Http1RequestFramer}: a chunk size that is not hex fails the body; here the connection then hangs. */
    @Test
    void aMalformedChunkSizeFailsTheBody() throws Exception {
        Exchange exchange = send("POST /body HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n");
        assertEquals(List.of(), exchange.statuses(), exchange.text());
    }

    /** {@code BodyReader}: a body the client ends early throws Helidon's own exception, which Helidon answers with 500. */
    @Test
    void aBodyEndedEarlyThrowsInsufficientData() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), helidon.port())) {
            socket.getOutputStream().write("POST /body-failure HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc"
                    .getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput(); // the client is done sending: 7 bytes short
            Exchange exchange = RawHttp.readUntilClosed(socket, 3000);
            assertTrue(exchange.text().contains("failed: " + DataReader.InsufficientDataAvailableException.class.getName()),
                    exchange.text());
        }
    }

    /**
     * {@link ConnectionFrontDoor} is the listener's only selector: with several, Helidon waits for a
     * connection's first bytes to pick one, and until then no timeout reaches the connection.
     */
    @Test
    void withSeveralProtocolsAConnectionThatSendsNothingOutlivesTheIdleTimeout() throws Exception {
        WebServer discovering = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .idleConnectionTimeout(Duration.ofMillis(500))
                .idleConnectionPeriod(Duration.ofMillis(250))
                .routing(routing -> routing.get("/", (req, res) -> res.send("OK")))
                .build()
                .start();
        try {
            Exchange silent = RawHttp.exchange(discovering.port(), "", 3000);
            assertFalse(silent.closed(), "Helidon now times out connections before it picks their protocol");
            Exchange idle = RawHttp.exchange(discovering.port(), "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 10_000);
            assertTrue(idle.closed(), "the idle timeout closes a connection whose protocol is known: " + idle.text());
        } finally {
            discovering.stop();
        }
    }
}
