package io.aggregationgateway.client;

import io.aggregationgateway.testsupport.RealPrometheus;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * End to end: client_java 1.x native histograms pushed through this client by several
 * pushers with different schemas, over gRPC and HTTP protobuf, scraped by a real Prometheus with
 * native histograms enabled; {@code histogram_count()} and {@code histogram_sum()} read back
 * through its query API equal the totals pushed.
 */
class NativeHistogramEndToEndTest {
    private static final Duration SCRAPED_WITHIN = Duration.ofSeconds(60);

    @Test
    void prometheusReadsTheSumOfNativeHistogramsPushedByClientJava(@TempDir Path dir) throws Exception {
        Random random = new Random(7);
        int[] schemas = {6, 3, 0};
        Transport[] transports = {Transport.GRPC, Transport.HTTP_PROTOBUF, Transport.GRPC};
        long count = 0;
        double sum = 0;
        try (InProcessGateway gateway = new InProcessGateway()) {
            for (int pusher = 0; pusher < schemas.length; pusher++) {
                PrometheusRegistry registry = new PrometheusRegistry();
                Histogram latency = Histogram.builder().name("checkout_latency_seconds").help("Checkout latency.")
                        .nativeOnly().nativeInitialSchema(schemas[pusher]).register(registry);
                try (PushClient client = PushClient.builder().target(gateway.address()).transport(transports[pusher])
                        .registry(registry)
                        .job("checkout").build()) {
                    for (int round = 0; round < 2; round++) { // twice: the second push sends only what is new
                        for (int i = 0; i < 50; i++) {
                            double value = random.nextDouble() < 0.1 ? -random.nextDouble() : Math.exp(random.nextGaussian());
                            latency.observe(value);
                            count++;
                            sum += value;
                        }
                        client.push();
                    }
                }
            }
            try (RealPrometheus prometheus = RealPrometheus.start(dir, List.of(gateway.address()), "native-histograms")) {
                prometheus.awaitValue("histogram_count(checkout_latency_seconds{job=\"checkout\"})", count, SCRAPED_WITHIN);
                prometheus.awaitValue("histogram_sum(checkout_latency_seconds{job=\"checkout\"})", sum, SCRAPED_WITHIN);
            }
        }
    }
}
