package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures against the real gateway: its message reaches the caller, and only transient failures are retried. */
class RejectedPushTest {
    private static InProcessGateway gateway;

    @BeforeAll
    static void startGateway() {
        gateway = new InProcessGateway("--max-body-bytes", "2000", "--grpc-max-message-bytes", "2000");
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    private static PushClient client(String target, Transport transport, MetricsSource source) {
        return PushClient.builder().target(target).transport(transport).job("rejected").source(source)
                .maxAttempts(5).initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(20)).build();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aRejectedPushCarriesTheGatewaysMessageAndIsNotRetried(Transport transport) throws Exception {
        MetricFamily negative = MetricFamily.newBuilder().setName("refunds_total").setType(MetricType.COUNTER)
                .addMetric(Metric.newBuilder().setCounter(Counter.newBuilder().setValue(-1))).build();
        try (PushClient client = client(gateway.address(), transport, Fixtures.increments(negative))) {
            PushException e = assertThrows(PushException.class, client::push);

            assertEquals(transport, e.transport());
            assertEquals(1, e.attempts(), "a 4xx / INVALID_ARGUMENT must not be retried");
            assertFalse(e.isRetryable());
            String message = e.serverMessage().orElseThrow();
            assertTrue(message.contains("refunds_total") && message.contains("negative"), message);
            assertTrue(e.getMessage().contains(message), e.getMessage());
            if (transport == Transport.GRPC) {
                assertEquals(Optional.of("INVALID_ARGUMENT"), e.grpcStatus());
                assertEquals(OptionalInt.empty(), e.httpStatus());
            } else {
                assertEquals(OptionalInt.of(400), e.httpStatus());
                assertEquals(Optional.empty(), e.grpcStatus());
            }
        }
        assertFalse(gateway.scrape().contains("refunds_total"), "nothing of a rejected push is applied");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aPushOverTheSizeLimitIsRefusedAndNotRetried(Transport transport) throws Exception {
        MetricFamily.Builder big = MetricFamily.newBuilder().setName("big").setType(MetricType.GAUGE);
        for (int i = 0; i < 200; i++) {
            big.addMetric(Metric.newBuilder().addLabel(Fixtures.label("i", Integer.toString(i)))
                    .setGauge(Gauge.newBuilder().setValue(i)));
        }
        try (PushClient client = client(gateway.address(), transport, Fixtures.increments(big.build()))) {
            PushException e = assertThrows(PushException.class, client::push);
            assertEquals(1, e.attempts());
            assertFalse(e.isRetryable());
            if (transport == Transport.GRPC) {
                assertEquals(Optional.of("RESOURCE_EXHAUSTED"), e.grpcStatus());
            } else {
                assertEquals(OptionalInt.of(413), e.httpStatus());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void connectionRefusedIsRetriedUntilTheAttemptsRunOut(Transport transport) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // free once closed: nothing listens there
        }
        try (PushClient client = client("127.0.0.1:" + closedPort, transport, Fixtures.rawSource())) {
            PushException e = assertThrows(PushException.class, client::push);
            assertEquals(5, e.attempts());
            assertTrue(e.isRetryable());
            assertNotNull(e.getCause(), "the I/O error is the cause");
            assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
        }
    }
}
