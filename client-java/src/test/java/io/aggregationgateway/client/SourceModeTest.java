package io.aggregationgateway.client;

import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The running-totals mode ({@link PushClientBuilder#sourceLabel}): each push carries the registry's
 * totals, the gateway (run with {@code --source-label instance}) adds what grew, so pushing any
 * number of times, retrying, restarting with the same name all count each observation once.
 */
class SourceModeTest {
    private static InProcessGateway gateway;

    @BeforeAll
    static void startGateway() {
        gateway = new InProcessGateway("--source-label", "instance", "--self-metrics", "false");
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    /** A registry with a counter and a gauge, and a client pushing it as source {@code instance}. */
    private static final class Process implements AutoCloseable {
        final PrometheusRegistry registry = new PrometheusRegistry();
        final Counter jobs = Counter.builder().name("src_jobs").help("Jobs.").register(registry);
        final Gauge busy = Gauge.builder().name("src_busy").help("Busy workers.").register(registry);
        final PushClient client;

        Process(Transport transport, String instance) {
            client = PushClient.builder().target(gateway.address()).transport(transport).job("src")
                    .sourceLabel("instance", instance).registry(registry).build();
        }

        @Override
        public void close() throws PushException {
            client.close();
        }
    }

    @BeforeEach
    void forgetEverything() throws Exception {
        try (PushClient admin = PushClient.builder().target(gateway.address()).transport(Transport.HTTP_PROTOBUF)
                .job("src").source(Fixtures.rawSource()).build()) {
            admin.delete(); // DELETE /metrics/job/src: the output series
        }
        for (String instance : List.of("a", "b")) {
            try (Process p = new Process(Transport.HTTP_PROTOBUF, instance)) {
                p.client.delete(); // and the sources' states
            }
        }
    }

    private static OptionalDouble jobs() {
        return gateway.value("src_jobs_total{job=\"src\"}");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void totalsPushedAnyNumberOfTimesCountOnce(Transport transport) throws Exception {
        try (Process a = new Process(transport, "a"); Process b = new Process(transport, "b")) {
            a.jobs.inc(3);
            a.busy.set(2);
            a.client.push();
            a.client.push();
            a.jobs.inc(2);
            a.client.push();
            b.jobs.inc(4);
            b.busy.set(5);
            b.client.push();
            b.client.push();
            assertEquals(OptionalDouble.of(9), jobs());
            assertEquals(OptionalDouble.of(7), gateway.value("src_busy{job=\"src\"}"));
            assertFalse(gateway.scrape().contains("instance="), "the source label is not part of the sums");
        }
    }

    @Test
    void aRestartedProcessWithTheSameNameIsCountedAfresh() throws Exception {
        try (Process first = new Process(Transport.GRPC, "a")) {
            first.jobs.inc(5);
            first.client.push();
        }
        try (Process restarted = new Process(Transport.GRPC, "a")) {
            restarted.jobs.inc(2);
            restarted.client.push();
            assertEquals(OptionalDouble.of(7), jobs());
        }
    }

    @Test
    void deleteForgetsTheSourceItsGaugesGoItsCountsStay() throws Exception {
        try (Process a = new Process(Transport.HTTP_TEXT, "a"); Process b = new Process(Transport.HTTP_TEXT, "b")) {
            a.jobs.inc(3);
            a.busy.set(2);
            a.client.push();
            b.busy.set(1);
            b.client.push();
            a.client.delete();
            assertEquals(OptionalDouble.of(3), jobs());
            assertEquals(OptionalDouble.of(1), gateway.value("src_busy{job=\"src\"}"));
        }
    }

    @Test
    void aTimedOutPushOfTotalsIsRetriedAsAPut() throws Exception {
        try (ScriptedHttpGateway slow = new ScriptedHttpGateway(Duration.ofMillis(1500), 200);
             PushClient client = PushClient.builder().target(slow.address()).transport(Transport.HTTP_PROTOBUF).job("src")
                     .sourceLabel("instance", "a").source(MetricsSource.ofRunningTotals(Fixtures::rawFamilies))
                     .maxAttempts(3).initialBackoff(Duration.ofMillis(5)).requestTimeout(Duration.ofMillis(200)).build()) {
            PushException e = assertThrows(PushException.class, client::push);
            assertEquals(3, e.attempts());
            assertTrue(e.isRetryable());
            assertEquals(List.of("PUT", "PUT", "PUT"), slow.methods);
            assertEquals("/metrics/job/src/instance/a", slow.paths.get(0));
        }
    }

    @Test
    void aGrpcDeadlineIsRetriedAndTheRequestReplaces() throws Exception {
        try (ScriptedGrpcGateway scripted = new ScriptedGrpcGateway(Status.Code.DEADLINE_EXCEEDED, Status.Code.OK);
             PushClient client = PushClient.builder().target(scripted.address()).job("src").sourceLabel("instance", "a")
                     .source(MetricsSource.ofRunningTotals(Fixtures::rawFamilies)).initialBackoff(Duration.ofMillis(5)).build()) {
            client.push();
            assertEquals(2, scripted.calls.get());
            assertTrue(scripted.requests.get(1).getReplace());
            assertEquals("a", scripted.requests.get(1).getGroupingLabelsMap().get("instance"));
            assertEquals(Fixtures.rawFamilies(), scripted.requests.get(1).getFamiliesList(), "the totals as they are");
        }
    }

    @Test
    void contradictionsAreRefused() {
        IllegalArgumentException increments = assertThrows(IllegalArgumentException.class, () -> PushClient.builder()
                .target("localhost:1").job("x").sourceLabel("instance", "a").source(Fixtures.increments()).build());
        assertTrue(increments.getMessage().contains("the source gives increments"), increments.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PushClient.builder().sourceLabel("instance", ""));
        assertThrows(IllegalArgumentException.class, () -> PushClient.builder().sourceLabel("job", "a"));
        assertThrows(IllegalArgumentException.class, () -> PushClient.builder().target("localhost:1").job("x")
                .sourceLabel("instance", "a").groupingLabel("instance", "").build());
    }
}
