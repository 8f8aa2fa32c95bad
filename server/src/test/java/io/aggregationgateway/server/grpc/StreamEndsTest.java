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
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How the streams of gRPC calls end, frame by frame, on a gateway without credentials: a client's
 * reset, a call answered before its client has sent all of it, a connection that ends under open
 * calls. None of it ends the connection for the other calls on it, and no stream's thread is left
 * waiting for a frame ({@link StreamThreads}).
 */
class StreamEndsTest {
    private static final String PUSH = "/aggregationgateway.v1.AggregationGateway/Push";
    private static final byte[] CANCEL = {0, 0, 0, 8};
    private static RunningGateway gateway;

    @TempDir
    Path dumps;

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
        return RawHttp2Client.grpcMessage(0, PushRequest.newBuilder().putGroupingLabels("job", "ends")
                .addFamilies(MetricFamily.newBuilder().setName("ends_total").setType(MetricType.COUNTER)
                        .addMetric(Metric.newBuilder().setCounter(Counter.newBuilder().setValue(value))))
                .build().toByteArray());
    }

    private static HpackBlock call(String path) {
        return new HpackBlock().indexed(3).indexed(6).withIndexing(4, path).withIndexing(1, "127.0.0.1")
                .withIndexing(31, "application/grpc").withoutIndexing("te", "trailers");
    }

    /** Waits up to ten seconds for {@code count} threads of stream {@code streamId}. */
    private void awaitStreamThreads(int streamId, int count, String what) throws Exception {
        assertEquals(count, StreamThreads.awaitCount(dumps, streamId, count), what);
    }

    private static void assertPushed(RawHttp2Client.Response response) throws Exception {
        assertEquals("0", response.grpcStatus(), () -> "grpc-message: " + response.grpcMessage());
        assertEquals(1, PushResponse.parseFrom(RawHttp2Client.replyMessage(response)).getSeries());
    }

    /** What grpc-java 1.73 sends when a call is answered before it has sent all of it: a reset, then the DATA it had queued. */
    @Test
    void dataAfterTheClientsOwnResetIsDroppedAndTheConnectionsNextCallIsAnswered() throws Exception {
        try (RawHttp2Client client = new RawHttp2Client(gateway.port())) {
            client.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, 1, call(PUSH).bytes());
            client.frame(RawHttp2Client.RST_STREAM, 0, 1, CANCEL);
            client.frame(RawHttp2Client.DATA, RawHttp2Client.END_STREAM, 1, push(5));
            client.call(3, call(PUSH).bytes(), push(1));
            assertPushed(client.response(3)); // Helidon alone answered with GOAWAY(PROTOCOL_ERROR)
        }
        assertEquals("# TYPE ends_total counter\nends_total{job=\"ends\"} 1\n", gateway.scrape(), "the reset call applied nothing");
    }

    @Test
    void aCallTheClientResetsLeavesNoThreadWaiting() throws Exception {
        int stream = 1_000_001;
        try (RawHttp2Client client = new RawHttp2Client(gateway.port())) {
            client.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, stream, call(PUSH).bytes());
            client.frame(RawHttp2Client.DATA, 0, stream, push(5)); // the call now waits for the client's end
            awaitStreamThreads(stream, 1, "the call's thread waits for the client's next frame");
            client.frame(RawHttp2Client.RST_STREAM, 0, stream, CANCEL);
            awaitStreamThreads(stream, 0, "Helidon alone left it waiting for good");
            client.call(stream + 2, call(PUSH).bytes(), push(1));
            assertPushed(client.response(stream + 2));
        }
        assertEquals("# TYPE ends_total counter\nends_total{job=\"ends\"} 1\n", gateway.scrape());
    }

    @Test
    void aCallLeftOpenWhenItsConnectionEndsLeavesNoThreadWaiting() throws Exception {
        int stream = 1_000_003;
        try (RawHttp2Client client = new RawHttp2Client(gateway.port())) {
            client.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, stream, call(PUSH).bytes());
            client.frame(RawHttp2Client.DATA, 0, stream, push(5));
            awaitStreamThreads(stream, 1, "the call's thread waits for the client's next frame");
        } // the client vanishes without a reset
        awaitStreamThreads(stream, 0, "Helidon alone left it waiting for good");
        assertEquals("", gateway.scrape(), "a call its client never ended applies nothing");
    }

    @Test
    void aCallRefusedAtItsStartReadsTheClientsSideToItsEndAndNoLonger() throws Exception {
        int stream = 1_000_005;
        try (RawHttp2Client client = new RawHttp2Client(gateway.port())) {
            client.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, stream,
                    call(PUSH).withoutIndexing("grpc-encoding", "deflate").bytes());
            RawHttp2Client.Response refused = client.response(stream);
            assertEquals("12", refused.grpcStatus()); // UNIMPLEMENTED
            awaitStreamThreads(stream, 1, "the refused call's stream reads on until the client's end");
            client.frame(RawHttp2Client.DATA, 0, stream, push(5));
            client.frame(RawHttp2Client.DATA, RawHttp2Client.END_STREAM, stream, new byte[0]);
            awaitStreamThreads(stream, 0, "the client's end ends it");
            client.call(stream + 2, call(PUSH).bytes(), push(1));
            assertPushed(client.response(stream + 2));
        }
        assertEquals("# TYPE ends_total counter\nends_total{job=\"ends\"} 1\n", gateway.scrape());
    }
}
