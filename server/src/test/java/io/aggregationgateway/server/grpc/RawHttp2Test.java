package io.aggregationgateway.server.grpc;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.proto.v1.PushResponse;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gRPC calls written frame by frame, in encodings real clients use and Helidon 4.4.0 alone
 * mishandles: pseudo-headers as literals with new names (gRPC C-core), request headers larger
 * than the header table, and request streams whose framing is wrong.
 */
class RawHttp2Test {
    private static final String PUSH = "/aggregationgateway.v1.AggregationGateway/Push";
    private static final Duration LIMIT = Duration.ofSeconds(30);
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

    private static byte[] push(double value) {
        return RawHttp2Client.grpcMessage(0, PushRequest.newBuilder().putGroupingLabels("job", "raw")
                .addFamilies(MetricFamily.newBuilder().setName("raw_total").setType(MetricType.COUNTER)
                        .addMetric(Metric.newBuilder().setCounter(Counter.newBuilder().setValue(value))))
                .build().toByteArray());
    }

    private static void assertPushed(RawHttp2Client.Response response) throws Exception {
        assertEquals("0", response.grpcStatus(), () -> "grpc-message: " + response.grpcMessage());
        assertEquals(1, PushResponse.parseFrom(RawHttp2Client.replyMessage(response)).getSeries());
    }

    /** What gRPC C-core sends on a new connection: every name of the call as a literal with indexing. */
    private static HpackBlock literalNames() {
        return new HpackBlock().withIndexing(":path", PUSH).withIndexing(":authority", "127.0.0.1")
                .indexed(3).indexed(6) // :method POST, :scheme http
                .withIndexing("content-type", "application/grpc").withIndexing("te", "trailers");
    }

    /** The call as nghttp words it: pseudo-header names from the static table, which Helidon alone reads too. */
    private static HpackBlock staticNames(String path) {
        return new HpackBlock().indexed(3).indexed(6).withIndexing(4, path).withIndexing(1, "127.0.0.1")
                .withIndexing(31, "application/grpc").withoutIndexing("te", "trailers");
    }

    /** The same call from the client's table after {@link #literalNames()}: te 62, content-type 63, :authority 64, :path 65. */
    private static HpackBlock indexedNames() {
        return new HpackBlock().indexed(65).indexed(64).indexed(3).indexed(6).indexed(63).indexed(62);
    }

    @Test
    void literalPseudoHeaderNamesWorkCallAfterCallOnOneConnection() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (RawHttp2Client client = new RawHttp2Client(gateway.port())) {
                client.call(1, literalNames().bytes(), push(1));
                assertPushed(client.response(1));
                client.call(3, indexedNames().bytes(), push(1));
                assertPushed(client.response(3));

                // a Huffman-coded literal name, never indexed, in a block split inside that name
                byte[] block = new HpackBlock().literalHuffmanName(0x10, HpackBlock.HUFFMAN_PATH, PUSH)
                        .indexed(64).indexed(3).indexed(6).indexed(63).indexed(62).bytes();
                client.frame(RawHttp2Client.HEADERS, 0, 5, Arrays.copyOf(block, 3));
                client.frame(RawHttp2Client.CONTINUATION, RawHttp2Client.END_HEADERS, 5, Arrays.copyOfRange(block, 3, block.length));
                client.frame(RawHttp2Client.DATA, RawHttp2Client.END_STREAM, 5, push(1));
                assertPushed(client.response(5));
            }
            assertTrue(gateway.scrape().contains("raw_total{job=\"raw\"} 3\n"), gateway.scrape());
        });
    }

    @Test
    void aRequestHeaderLargerThanTheHeaderTableIsAnswered() {
        // Helidon alone spins a core for good on x-big
        assertTimeoutPreemptively(LIMIT, () -> {
            try (RawHttp2Client client = new RawHttp2Client(gateway.port())) {
                client.call(1, staticNames(PUSH).withIndexing("x-big", "b".repeat(5000)).bytes(), push(1));
                assertPushed(client.response(1));
            }
        });
    }

    @Test
    void afterAHeaderLargerThanTheTableLaterCallsStillDecodeAsSent() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (RawHttp2Client client = new RawHttp2Client(gateway.port())) {
                client.call(1, literalNames().bytes(), push(1));
                assertPushed(client.response(1));
                client.call(3, indexedNames().withIndexing("x-big", "b".repeat(5000)).bytes(), push(1));
                assertPushed(client.response(3));
                // that entry emptied the client's table (RFC 7541 section 4.4): it names everything anew
                client.call(5, literalNames().bytes(), push(1));
                assertPushed(client.response(5));
                client.call(7, indexedNames().bytes(), push(1));
                assertPushed(client.response(7));
            }
            assertTrue(gateway.scrape().contains("raw_total{job=\"raw\"} 4\n"), gateway.scrape());
        });
    }

    /**
     * {@link DirectCall}'s reply header blocks, encoded once, between replies that Helidon's encoder
     * writes with its dynamic table (health checks): every block on the connection decodes as sent.
     */
    @Test
    void pushRepliesEncodedOnceAndHelidonsRepliesShareAConnection() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (RawHttp2Client client = new RawHttp2Client(gateway.port())) {
                for (int stream = 1; stream <= 13; stream += 4) {
                    client.call(stream, staticNames(PUSH).bytes(), push(1));
                    RawHttp2Client.Response pushed = client.response(stream);
                    assertPushed(pushed);
                    assertEquals("[:status=200, content-type=application/grpc, grpc-encoding=identity]",
                            headerList(pushed.headers()));
                    assertEquals("[grpc-status=0]", headerList(pushed.trailers()));

                    client.call(stream + 2, staticNames("/grpc.health.v1.Health/Check").bytes(),
                            RawHttp2Client.grpcMessage(0, new byte[0]));
                    RawHttp2Client.Response health = client.response(stream + 2);
                    assertEquals("0", health.grpcStatus());
                    assertEquals(List.of(0, 0, 0, 0, 2, 8, 1), dataBytes(health), "SERVING"); // grpc.health.v1: status 1
                }
            }
            assertTrue(gateway.scrape().contains("raw_total{job=\"raw\"} 4\n"), gateway.scrape());
        });
    }

    private static String headerList(io.helidon.http.http2.Http2Headers headers) {
        List<String> list = new java.util.ArrayList<>();
        if (headers.status() != null) {
            list.add(":status=" + headers.status().code());
        }
        headers.httpHeaders().forEach(header -> list.add(header.headerName().lowerCase() + "=" + header.get()));
        return list.toString();
    }

    private static List<Integer> dataBytes(RawHttp2Client.Response response) {
        List<Integer> bytes = new java.util.ArrayList<>();
        for (byte b : response.data()) {
            bytes.add(b & 0xFF);
        }
        return bytes;
    }

    private static RawHttp2Client.Response callWith(byte[] body, boolean endStream) throws Exception {
        try (RawHttp2Client client = new RawHttp2Client(gateway.port())) {
            client.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, 1, staticNames(PUSH).bytes());
            client.frame(RawHttp2Client.DATA, endStream ? RawHttp2Client.END_STREAM : 0, 1, body);
            return client.response(1);
        }
    }

    @Test
    void aMessageFlaggedCompressedInACallWithoutGrpcEncodingIsInvalidArgument() {
        // Helidon alone waited for ever
        RawHttp2Client.Response response = assertTimeoutPreemptively(LIMIT, () -> {
            byte[] body = push(1);
            body[0] = 1;
            return callWith(body, true);
        });
        assertEquals("3", response.grpcStatus());
        assertEquals("request message is flagged compressed, but the call has no grpc-encoding; send grpc-encoding: gzip "
                + "with it, or send it uncompressed", response.grpcMessage());
    }

    @Test
    void aMessageWithACompressedFlagOtherThanZeroOrOneIsInvalidArgument() {
        RawHttp2Client.Response response = assertTimeoutPreemptively(LIMIT, () -> {
            byte[] body = push(1);
            body[0] = 7;
            return callWith(body, true);
        });
        assertEquals("3", response.grpcStatus());
        assertEquals("request message has compressed flag 7; it must be 0 or 1", response.grpcMessage());
    }

    @Test
    void aStreamThatEndsInsideAMessageIsInvalidArgumentAndAppliesNothing() throws Exception {
        // Helidon alone answered INTERNAL
        byte[] whole = push(1);
        RawHttp2Client.Response inMessage = assertTimeoutPreemptively(LIMIT,
                () -> callWith(Arrays.copyOf(whole, whole.length - 3), true));
        assertEquals("3", inMessage.grpcStatus());
        assertEquals("request stream ended inside a message (" + (whole.length - 8) + " of " + (whole.length - 5) + " bytes)",
                inMessage.grpcMessage());

        RawHttp2Client.Response inHeader = assertTimeoutPreemptively(LIMIT, () -> callWith(Arrays.copyOf(whole, 3), true));
        assertEquals("3", inHeader.grpcStatus());
        assertEquals("request stream ended inside a message header (3 of 5 bytes)", inHeader.grpcMessage());
        assertEquals("", gateway.scrape());
    }

    @Test
    void inAStreamTheMessagesBeforeABadOneInTheSameFrameStayApplied() throws Exception {
        byte[] good = push(1);
        byte[] bad = push(1);
        bad[0] = 1;
        byte[] frame = new byte[2 * good.length + bad.length];
        System.arraycopy(good, 0, frame, 0, good.length);
        System.arraycopy(good, 0, frame, good.length, good.length);
        System.arraycopy(bad, 0, frame, 2 * good.length, bad.length);
        byte[] pushStream = staticNames("/aggregationgateway.v1.AggregationGateway/PushStream").bytes();
        try (RawHttp2Client client = new RawHttp2Client(gateway.port())) {
            client.call(1, pushStream, frame);
            RawHttp2Client.Response response = assertTimeoutPreemptively(LIMIT, () -> client.response(1));
            assertEquals("3", response.grpcStatus());
        }
        assertEquals("# TYPE raw_total counter\nraw_total{job=\"raw\"} 2\n", gateway.scrape());
    }

    @Test
    void anHttp1UpgradeToH2cIsAnsweredOverHttp1() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertEquals("HTTP/1.1 200 OK", status);
        }
    }
}
