package io.aggregationgateway.client;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every transport with every source, against the real gateway: two clients push the same
 * metrics, the scrape shows each value twice over, with the grouping labels on every series.
 */
class TransportSourceMatrixTest {
    private static InProcessGateway gateway;

    /** Each makes the metrics once, and says how a client built for them is told to push them. */
    enum Source {
        SIMPLECLIENT(() -> {
            MetricsSource registry = CollectorRegistrySource.of(Fixtures.simpleclientRegistry());
            return builder -> builder.source(registry);
        }),
        RAW_FAMILIES(() -> builder -> builder.source(Fixtures.rawSource())),
        PROMETHEUS_REGISTRY(() -> {
            PrometheusRegistry registry = Fixtures.prometheusRegistry();
            return builder -> builder.registry(registry);
        });

        final Supplier<UnaryOperator<PushClientBuilder>> create;

        Source(Supplier<UnaryOperator<PushClientBuilder>> create) {
            this.create = create;
        }
    }

    @BeforeAll
    static void startGateway() {
        gateway = new InProcessGateway();
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    static Stream<Arguments> combinations() {
        return Arrays.stream(Transport.values())
                .flatMap(transport -> Arrays.stream(Source.values()).map(source -> Arguments.of(transport, source)));
    }

    @ParameterizedTest(name = "{0} from {1}")
    @MethodSource("combinations")
    void twoClientsPushingTheSameMetricsDoubleEverySeries(Transport transport, Source source) throws Exception {
        String job = (transport + "_" + source).toLowerCase(Locale.ROOT);
        UnaryOperator<PushClientBuilder> metrics = source.create.get();
        for (int client = 0; client < 2; client++) {
            try (PushClient pushClient = metrics.apply(PushClient.builder())
                    .target(gateway.address())
                    .transport(transport)
                    .job(job)
                    .groupingLabel("zone", "eu/west") // a slash: base64 in the HTTP path
                    .build()) {
                pushClient.push();
            }
        }

        String scrape = gateway.scrape();
        String g = "job=\"" + job + "\",zone=\"eu/west\"";
        assertValue(scrape, "orders_total{" + g.replace(",zone", ",status=\"paid\",zone") + "}", 6);
        assertValue(scrape, "temperature_celsius{" + g + "}", 42);
        assertValue(scrape, "latency_seconds_bucket{" + g + ",le=\"0.1\"}", 2);
        assertValue(scrape, "latency_seconds_bucket{" + g + ",le=\"1.0\"}", 4);
        assertValue(scrape, "latency_seconds_bucket{" + g + ",le=\"+Inf\"}", 6);
        assertValue(scrape, "latency_seconds_count{" + g + "}", 6);
        assertEquals(11.1, InProcessGateway.valueIn(scrape, "latency_seconds_sum{" + g + "}").orElseThrow(), 1e-9);
        assertValue(scrape, "build_info{" + g.replace(",zone", ",version=\"1.2\",zone") + "}", 2);
        assertValue(scrape, "feature{feature=\"a\"," + g + "}", 2);
        assertValue(scrape, "feature{feature=\"b\"," + g + "}", 0);
        assertFalse(scrape.contains("_created"), scrape);
        assertFalse(scrape.lines().anyMatch(line -> line.startsWith("size_bytes") && line.contains(job)),
                "summaries are discarded by the gateway");
    }

    private static void assertValue(String scrape, String series, double expected) {
        OptionalDouble value = InProcessGateway.valueIn(scrape, series);
        assertEquals(OptionalDouble.of(expected), value, () -> series + " in\n" + scrape);
    }
}
