package io.aggregationgateway.server.e2e;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.pushgateway.Format;
import io.prometheus.metrics.exporter.pushgateway.PushGateway;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Pushers as an application using client_java 1.x would be: a registry, a histogram, its PushGateway. */
final class ClientJavaPushers {
    private ClientJavaPushers() {
    }

    /** One pusher's histogram (classic and native buckets, client_java's default) after {@code observations}. */
    static PrometheusRegistry registry(String name, int nativeSchema, List<Double> observations) {
        PrometheusRegistry registry = new PrometheusRegistry();
        Histogram histogram = Histogram.builder().name(name).help("Request latency.")
                .nativeInitialSchema(nativeSchema)
                .register(registry);
        observations.forEach(histogram::observe);
        return registry;
    }

    /**
     * Pushes (POST: the Pushgateway's "push add") in the protobuf format, which carries native
     * histograms; set explicitly rather than trusting the client's default.
     */
    static void push(PrometheusRegistry registry, int gatewayPort, String job, Map<String, String> grouping) {
        PushGateway.Builder builder = PushGateway.builder()
                .address("127.0.0.1:" + gatewayPort)
                .job(job)
                .registry(registry)
                .format(Format.PROMETHEUS_PROTOBUF);
        grouping.forEach(builder::groupingKey);
        try {
            builder.build().pushAdd();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
