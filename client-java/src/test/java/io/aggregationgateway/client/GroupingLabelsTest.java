package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Locale;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Grouping labels and label values with awkward characters reach the gateway's series intact, over every transport. */
class GroupingLabelsTest {
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
    void awkwardValuesArriveIntact(Transport transport) throws Exception {
        String job = "odd/job " + transport.name().toLowerCase(Locale.ROOT);
        MetricFamily family = MetricFamily.newBuilder().setName("events_total").setType(MetricType.COUNTER)
                .addMetric(Metric.newBuilder()
                        .addLabel(Fixtures.label("detail", "quote\" backslash\\ newline\n"))
                        .addLabel(Fixtures.label("job", "overridden by the grouping label"))
                        .setCounter(Counter.newBuilder().setValue(2)))
                .build();
        try (PushClient client = PushClient.builder().target(gateway.address()).transport(transport)
                .source(Fixtures.increments(family))
                .job(job)
                .groupingLabel("dots", "..")
                .groupingLabel("empty", "")
                .groupingLabel("spaced", "x y%+?#")
                .groupingLabel("unicode", "żółw")
                .build()) {
            client.push();
        }
        // labels sorted by name; an empty value is no label at all; text-format escaping in the scrape
        String series = "events_total{detail=\"quote\\\" backslash\\\\ newline\\n\",dots=\"..\",job=\"" + job
                + "\",spaced=\"x y%+?#\",unicode=\"żółw\"}";
        assertEquals(OptionalDouble.of(2), gateway.value(series), gateway::scrape);
    }
}
