package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client pushes the one source it was built with, and counts increments against its own last
 * push: pushing running totals again and again adds each count once, never the whole totals
 * again (which is what a per-call source did: 5, 5, 7, 12 pushed became 29 instead of 12).
 */
class RunningTotalsTest {
    private static InProcessGateway gateway;

    @BeforeAll
    static void startGateway() {
        gateway = new InProcessGateway("--self-metrics", "false");
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    private static MetricFamily orders(double total) {
        return MetricFamily.newBuilder().setName("orders_total").setType(MetricType.COUNTER)
                .addMetric(Metric.newBuilder().setCounter(Counter.newBuilder().setValue(total))).build();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void pushingRunningTotalsRepeatedlyAddsEachCountOnce(Transport transport) throws Exception {
        String job = "totals_" + transport.name().toLowerCase(Locale.ROOT);
        AtomicLong total = new AtomicLong(5);
        try (PushClient client = PushClient.builder().target(gateway.address()).transport(transport).job(job)
                .source(MetricsSource.ofRunningTotals(() -> List.of(orders(total.get())))).build()) {
            client.push();    // 5: the first push sends the totals
            client.push();    // still 5: adds nothing
            total.set(7);
            client.push();    // +2
            total.set(12);
            client.push();    // +5
        }
        assertEquals(OptionalDouble.of(12), gateway.value("orders_total{job=\"" + job + "\"}"), gateway::scrape);
    }

    @Test
    void aRegistryPushedAfterEveryObservationShowsItsTotals() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        io.prometheus.metrics.core.metrics.Counter requests = io.prometheus.metrics.core.metrics.Counter.builder()
                .name("requests").register(registry);
        Histogram latency = Histogram.builder().name("latency_seconds").classicUpperBounds(1).register(registry);
        try (PushClient client = PushClient.builder().target(gateway.address()).job("registry_totals")
                .registry(registry).build()) {
            for (int i = 1; i <= 4; i++) {
                requests.inc();
                latency.observe(i);
                client.push();
            }
        }
        assertEquals(OptionalDouble.of(4), gateway.value("requests_total{job=\"registry_totals\"}"));
        assertEquals(OptionalDouble.of(4), gateway.value("latency_seconds_count{job=\"registry_totals\"}"));
        assertEquals(OptionalDouble.of(10), gateway.value("latency_seconds_sum{job=\"registry_totals\"}"));
        assertEquals(OptionalDouble.of(1), gateway.value("latency_seconds_bucket{job=\"registry_totals\",le=\"1.0\"}"));
    }

    @Test
    void aSourceOfIncrementsIsAddedWholeOnEveryPush() throws Exception {
        try (PushClient client = PushClient.builder().target(gateway.address()).job("increments")
                .source(MetricsSource.ofIncrements(() -> List.of(orders(2)))).build()) {
            client.push();
            client.push();
            client.push();
        }
        assertEquals(OptionalDouble.of(6), gateway.value("orders_total{job=\"increments\"}"));
    }
}
