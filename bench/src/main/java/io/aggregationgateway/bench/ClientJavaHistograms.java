package io.aggregationgateway.bench;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

/**
 * A protobuf push as an application using client_java 1.x makes it: histograms with the library's
 * defaults (native buckets, initial schema 5 and at most 160 buckets per series, plus the default
 * classic buckets), written by client_java's own protobuf writer, as its {@code PushGateway}
 * sends them. 2 families × 10 series (labels {@code method}, {@code route}), 200 latencies
 * between 1 ms and 10 s per series, seeded: the same bytes on every run but for the created
 * timestamps.
 */
public final class ClientJavaHistograms {
    public static final int FAMILIES = 2;
    public static final int SERIES_PER_FAMILY = 10;
    public static final int OBSERVATIONS_PER_SERIES = 200;
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE"};

    private ClientJavaHistograms() {
    }

    /** The varint-length-delimited {@code MetricFamily} messages of one push. */
    public static byte[] protobufBody() {
        PrometheusRegistry registry = new PrometheusRegistry();
        Random random = new Random(42);
        for (int f = 0; f < FAMILIES; f++) {
            Histogram histogram = Histogram.builder()
                    // not the hist workload's names: bench/run pushes both to one gateway, which holds those as classic
                    .name("rpc_duration_" + f + "_seconds")
                    .help("Request latency.")
                    .labelNames("method", "route")
                    .register(registry);
            for (int s = 0; s < SERIES_PER_FAMILY; s++) {
                var series = histogram.labelValues(METHODS[s % METHODS.length], "/api/v1/route/" + s);
                for (int n = 0; n < OBSERVATIONS_PER_SERIES; n++) {
                    series.observe(Math.pow(10, -3 + 4 * random.nextDouble()));
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ExpositionFormats.init().getPrometheusProtobufWriter().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return out.toByteArray();
    }
}
