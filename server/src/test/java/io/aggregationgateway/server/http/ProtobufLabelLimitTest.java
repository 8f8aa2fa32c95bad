package io.aggregationgateway.server.http;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.server.support.RunningGateway;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both protobuf routes (HTTP and gRPC) enforce {@code --max-labels-per-series} while decoding: a
 * series of 20,000 labels, the last repeating the first's name, is refused for its count (a sort
 * would have found the duplicate), and the answer names ten labels, not twenty thousand.
 */
class ProtobufLabelLimitTest {
    private static final String PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    private static final String REFUSAL = "20000 labels, more than the limit of 8 (--max-labels-per-series)";
    private static RunningGateway gateway;

    @BeforeAll
    static void start() {
        gateway = new RunningGateway("--self-metrics", "false", "--max-labels-per-series", "8");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static MetricFamily manyLabels() {
        Metric.Builder metric = Metric.newBuilder().setCounter(Counter.newBuilder().setValue(1));
        for (int i = 0; i < 19_999; i++) {
            metric.addLabel(LabelPair.newBuilder().setName("l" + i).setValue("v"));
        }
        metric.addLabel(LabelPair.newBuilder().setName("l0").setValue("again"));
        return MetricFamily.newBuilder().setName("big_total").setType(MetricType.COUNTER).addMetric(metric).build();
    }

    @Test
    void httpProtobufPush() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        manyLabels().writeDelimitedTo(body);
        HttpResponse<byte[]> response = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/a"))
                .header("Content-Type", PROTOBUF).POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        String message = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(400, response.statusCode(), message);
        assertTrue(message.contains(REFUSAL), message);
        assertTrue(message.contains(",… 19990 more}"), message);
        assertTrue(message.length() < 300, message);
        assertEquals(0, gateway.aggregator.seriesCount());
    }

    @Test
    void grpcPush() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> AggregationGatewayGrpc
                    .newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .push(PushRequest.newBuilder().putGroupingLabels("job", "a").addFamilies(manyLabels()).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
            assertTrue(e.getStatus().getDescription().contains(REFUSAL), e.getStatus().getDescription());
            assertEquals(0, gateway.aggregator.seriesCount());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
