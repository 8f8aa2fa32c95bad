package io.aggregationgateway.client;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Periodic pushing: sums track the registry, close() flushes, pushes never overlap, failures are reported. */
class PeriodicPushTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static InProcessGateway gateway;

    @BeforeAll
    static void startGateway() {
        gateway = new InProcessGateway();
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theGatewaysSumFollowsTheRegistrysTotal(Transport transport) throws Exception {
        String job = "periodic_" + transport.name().toLowerCase(Locale.ROOT);
        CollectorRegistry registry = new CollectorRegistry();
        Counter done = Counter.build().name("tasks_done").help("Tasks.").register(registry);
        Gauge busy = Gauge.build().name("workers_busy").help("Busy.").register(registry);
        String counter = "tasks_done_total{job=\"" + job + "\"}";
        String gauge = "workers_busy{job=\"" + job + "\"}";

        PushClient client = PushClient.builder().target(gateway.address()).transport(transport).job(job)
                .source(CollectorRegistrySource.of(registry)).build();
        done.inc(1);
        busy.set(4);
        client.startPeriodicPush(INTERVAL);
        assertEquals(OptionalDouble.of(1), gateway.awaitValue(counter, v -> v == 1));
        assertEquals(OptionalDouble.of(4), gateway.awaitValue(gauge, v -> v == 4));

        done.inc(2);
        busy.set(1); // a gauge's increment may be negative: the sum follows the current value
        assertEquals(OptionalDouble.of(3), gateway.awaitValue(counter, v -> v != 1));
        assertEquals(OptionalDouble.of(1), gateway.awaitValue(gauge, v -> v != 4));

        Thread.sleep(3 * INTERVAL.toMillis()); // more pushes with nothing new must not add anything
        assertEquals(OptionalDouble.of(3), gateway.value(counter));

        done.inc(4);
        client.close(); // the final push carries what the schedule has not sent yet
        assertEquals(OptionalDouble.of(7), gateway.value(counter));
        assertEquals(OptionalDouble.of(1), gateway.value(gauge));
    }

    @Test
    void closeFlushesWhatTheScheduleHasNotSent() throws Exception {
        CollectorRegistry registry = new CollectorRegistry();
        Counter done = Counter.build().name("flushed").help("Flushed.").register(registry);
        PushClient client = PushClient.builder().target(gateway.address()).job("flush")
                .source(CollectorRegistrySource.of(registry)).build();
        client.startPeriodicPush(Duration.ofHours(1)); // never fires during the test
        done.inc(5);

        client.close();

        assertEquals(OptionalDouble.of(5), gateway.value("flushed_total{job=\"flush\"}"));
        client.close(); // idempotent: no second push
        assertEquals(OptionalDouble.of(5), gateway.value("flushed_total{job=\"flush\"}"));
        assertThrows(IllegalStateException.class, client::push);
        assertThrows(IllegalStateException.class, () -> client.startPeriodicPush(INTERVAL));
    }

    @Test
    void pushesFromOneClientNeverOverlap() throws Exception {
        try (ScriptedHttpGateway scripted = new ScriptedHttpGateway(Duration.ofMillis(15), 200)) {
            CollectorRegistry registry = new CollectorRegistry();
            Counter.build().name("overlap").help("Overlap.").register(registry).inc();
            PushClient client = PushClient.builder().target(scripted.address()).transport(Transport.HTTP_PROTOBUF)
                    .job("overlap").source(CollectorRegistrySource.of(registry)).build();
            client.startPeriodicPush(Duration.ofMillis(5));
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> pushes = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    pushes.add(threads.submit(() -> {
                        client.push();
                        return null;
                    }));
                }
                for (Future<?> push : pushes) {
                    push.get();
                }
            } finally {
                threads.shutdown();
                client.close();
            }
            assertTrue(scripted.requests.get() >= 13, "12 explicit pushes and a final one at least");
            assertEquals(1, scripted.maxInFlight.get(), "pushes overlapped");
        }
    }

    @Test
    void aFailedPeriodicPushIsReportedAndItsIncrementsGoWithTheNextOne() throws Exception {
        try (ScriptedHttpGateway scripted = new ScriptedHttpGateway(Duration.ZERO, 400, 200)) {
            CollectorRegistry registry = new CollectorRegistry();
            Counter done = Counter.build().name("retried").help("Retried.").register(registry);
            List<PushException> failures = new CopyOnWriteArrayList<>();
            PushClient client = PushClient.builder().target(scripted.address()).transport(Transport.HTTP_TEXT)
                    .job("report").source(CollectorRegistrySource.of(registry)).onPeriodicPushFailure(failures::add).build();
            done.inc(2);
            client.startPeriodicPush(INTERVAL);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (scripted.requests.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            client.close();

            assertEquals(1, failures.size(), () -> failures.toString());
            assertEquals(400, failures.get(0).httpStatus().orElseThrow());
            // the refused push's increment (2) is not lost: the next push sends it again
            assertTrue(scripted.bodies.get(0).contains("retried_total 2"), scripted.bodies.get(0));
            assertTrue(scripted.bodies.get(1).contains("retried_total 2"), scripted.bodies.get(1));
            assertFalse(scripted.bodies.get(scripted.bodies.size() - 1).contains("retried_total 4"));
        }
    }
}
