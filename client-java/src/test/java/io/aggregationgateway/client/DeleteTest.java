package io.aggregationgateway.client;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PushClient#delete()}: the grouping key's series go, periodic pushing stops, the next push starts over. */
class DeleteTest {
    private static InProcessGateway gateway;

    @BeforeAll
    static void startGateway() {
        gateway = new InProcessGateway("--self-metrics", "false");
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    private static PrometheusRegistry registryCounting(double done) {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("jobs_done").register(registry).inc(done);
        return registry;
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void deleteRemovesTheGroupingKeysSeriesAndTheNextPushSendsTheWholeTotals(Transport transport) throws Exception {
        String job = "delete_" + transport.name().toLowerCase(Locale.ROOT);
        String deleted = "jobs_done_total{job=\"" + job + "\",zone=\"a/b\"}"; // a slash: base64 in the DELETE path
        String kept = "jobs_done_total{job=\"" + job + "\",zone=\"c\"}";
        try (PushClient a = PushClient.builder().target(gateway.address()).transport(transport).job(job)
                .groupingLabel("zone", "a/b").registry(registryCounting(5)).build();
             PushClient c = PushClient.builder().target(gateway.address()).transport(transport).job(job)
                     .groupingLabel("zone", "c").registry(registryCounting(3)).build()) {
            a.push();
            c.push();
            assertEquals(OptionalDouble.of(5), gateway.value(deleted));

            a.delete();
            assertEquals(OptionalDouble.empty(), gateway.value(deleted), gateway::scrape);
            assertEquals(OptionalDouble.of(3), gateway.value(kept), "another grouping key's series stay");

            a.push(); // the gateway forgot the 5: the registry's whole total goes again
            assertEquals(OptionalDouble.of(5), gateway.value(deleted));
        }
    }

    @Test
    void deleteStopsPeriodicPushingSoNeitherTheScheduleNorCloseBringsTheSeriesBack() throws Exception {
        String series = "jobs_done_total{job=\"delete_periodic\"}";
        PushClient client = PushClient.builder().target(gateway.address()).job("delete_periodic")
                .registry(registryCounting(2)).build();
        client.startPeriodicPush(Duration.ofMillis(20));
        assertEquals(OptionalDouble.of(2), gateway.awaitValue(series, v -> v == 2));

        client.delete();
        Thread.sleep(200); // ten intervals
        assertEquals(OptionalDouble.empty(), gateway.value(series));
        client.close(); // no final push: the schedule was stopped
        assertEquals(OptionalDouble.empty(), gateway.value(series));
        assertThrows(IllegalStateException.class, client::delete);
    }

    @Test
    void periodicPushingMayBeStartedAgainAfterADelete() throws Exception {
        String series = "jobs_done_total{job=\"delete_restart\"}";
        try (PushClient client = PushClient.builder().target(gateway.address()).job("delete_restart")
                .registry(registryCounting(4)).build()) {
            client.startPeriodicPush(Duration.ofHours(1));
            client.delete();
            client.startPeriodicPush(Duration.ofMillis(20));
            assertEquals(OptionalDouble.of(4), gateway.awaitValue(series, v -> v == 4));
        }
    }

    @Test
    void anyTwoHundredAnswerIsSuccessAndA5xxIsRetried() throws Exception {
        try (ScriptedHttpGateway scripted = new ScriptedHttpGateway(Duration.ZERO, 503, 202);
             PushClient client = PushClient.builder().target(scripted.address()).transport(Transport.HTTP_PROTOBUF)
                     .job("gone").groupingLabel("zone", "eu").header("Authorization", "Bearer s3cret")
                     .initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(20)).build()) {
            client.delete();
            assertEquals(List.of("DELETE", "DELETE"), scripted.methods);
            assertEquals(List.of("/metrics/job/gone/zone/eu", "/metrics/job/gone/zone/eu"), scripted.paths);
            assertEquals("Bearer s3cret", scripted.lastHeaders.get("authorization"));
        }
    }

    @Test
    void aGrpcClientDeletesOverHttp() throws Exception {
        try (ScriptedHttpGateway scripted = new ScriptedHttpGateway(Duration.ZERO, 202);
             PushClient client = PushClient.builder().target(scripted.address()).job("gone").build()) {
            client.delete();
            assertEquals(List.of("DELETE"), scripted.methods);
            assertEquals(List.of("/metrics/job/gone"), scripted.paths);
        }
    }

    @Test
    void aTimedOutDeleteIsRetriedSinceDeletingTwiceIsDeletingOnce() throws Exception {
        try (ScriptedHttpGateway scripted = new ScriptedHttpGateway(Duration.ofMillis(1000), 202);
             PushClient client = PushClient.builder().target(scripted.address()).transport(Transport.HTTP_TEXT)
                     .job("slow").requestTimeout(Duration.ofMillis(150)).maxAttempts(2)
                     .initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build()) {
            PushException e = assertThrows(PushException.class, client::delete);
            assertEquals(2, e.attempts(), e::getMessage);
            assertTrue(e.isRetryable());
            assertTrue(e.getMessage().startsWith("delete at http://" + scripted.address() + "/metrics/job/slow failed"),
                    e.getMessage());
        }
    }

    @Test
    void aRefusedDeleteCarriesTheStatusAndIsNotRetried() throws Exception {
        try (ScriptedHttpGateway scripted = new ScriptedHttpGateway(Duration.ZERO, 400);
             PushClient client = PushClient.builder().target(scripted.address()).transport(Transport.HTTP_PROTOBUF)
                     .job("refused").build()) {
            PushException e = assertThrows(PushException.class, client::delete);
            assertEquals(OptionalInt.of(400), e.httpStatus());
            assertEquals(1, e.attempts());
            assertFalse(e.isRetryable());
            assertEquals(1, scripted.requests.get());
        }
    }
}
