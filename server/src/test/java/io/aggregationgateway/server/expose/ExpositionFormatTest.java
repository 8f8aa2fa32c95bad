package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.EngineSettings;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static io.aggregationgateway.server.expose.ExpositionFormat.OPENMETRICS;
import static io.aggregationgateway.server.expose.ExpositionFormat.PROTOBUF;
import static io.aggregationgateway.server.expose.ExpositionFormat.TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ExpositionFormatTest {
    private static final String PROTO = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";

    static Stream<Arguments> headers() {
        return Stream.of(
                // what Prometheus 2.x sends, by scrape_protocols / feature flags
                arguments(PROTO + ";q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2", PROTOBUF),
                arguments("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", OPENMETRICS),
                arguments("text/plain;version=0.0.4;q=1,*/*;q=0.1", TEXT),
                arguments(PROTO + ";q=0.8,application/openmetrics-text;version=1.0.0;q=0.7,"
                        + "application/openmetrics-text;version=0.0.1;q=0.6,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", PROTOBUF),
                // Prometheus 3.x: escaping parameters and text/plain 1.0.0
                arguments("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
                        + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
                        + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1", OPENMETRICS),
                arguments("text/plain;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,"
                        + "*/*;q=0.1", TEXT),
                arguments(PROTO + ";escaping=underscores;q=0.5,*/*;q=0.1", PROTOBUF),
                // parameter order, spacing, case
                arguments("application/vnd.google.protobuf; encoding=delimited; proto=io.prometheus.client.MetricFamily", PROTOBUF),
                arguments("Application/Vnd.Google.Protobuf ; Encoding = delimited ;PROTO=io.prometheus.client.MetricFamily ; Q=0.9 , "
                        + "text/plain;q=0.5", PROTOBUF),
                arguments("text/plain ; q=0.2 ,\tapplication/openmetrics-text ;q=0.3", OPENMETRICS),
                arguments("application/openmetrics-text; version=\"1.0.0\"; charset=utf-8", OPENMETRICS),
                arguments("APPLICATION/OPENMETRICS-TEXT", OPENMETRICS),
                // protobuf needs both parameters
                arguments("application/vnd.google.protobuf", TEXT),
                arguments("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily", TEXT),
                arguments("application/vnd.google.protobuf;encoding=delimited", TEXT),
                arguments("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text,"
                        + "application/openmetrics-text;q=0.1", OPENMETRICS),
                arguments("application/vnd.google.protobuf;proto=other.Message;encoding=delimited", TEXT),
                // versions
                arguments("application/openmetrics-text;version=0.0.1", OPENMETRICS),
                arguments("application/openmetrics-text;version=2.0.0", TEXT),
                arguments("application/openmetrics-text;version=2.0.0,application/openmetrics-text;version=1.0.0;q=0.1", OPENMETRICS),
                arguments("text/plain;version=0.0.4", TEXT),
                arguments("text/plain;version=0.0.5,application/openmetrics-text;q=0.1", OPENMETRICS),
                // weights and ties
                arguments("text/plain;q=0.5,application/openmetrics-text;q=0.5", TEXT),
                arguments("application/openmetrics-text;q=0.5,text/plain;q=0.5", OPENMETRICS),
                arguments("text/plain;q=0.4," + PROTO + ";q=0.5", PROTOBUF),
                arguments(PROTO + ";q=0,application/openmetrics-text;q=0.001", OPENMETRICS),
                arguments(PROTO + ";q=0.000", TEXT),
                arguments("application/openmetrics-text;q=1.000,text/plain", OPENMETRICS),
                // wildcards
                arguments("*/*", TEXT),
                arguments("text/*", TEXT),
                arguments("text/*;q=0.9,application/openmetrics-text;q=0.8", TEXT),
                arguments("application/*", TEXT),
                arguments("application/json", TEXT),
                arguments("image/png,*/*;q=0.8", TEXT),
                // missing, empty, malformed
                arguments(null, TEXT),
                arguments("", TEXT),
                arguments("   ", TEXT),
                arguments(",,,", TEXT),
                arguments(";;;", TEXT),
                arguments("garbage", TEXT),
                arguments("application/", TEXT),
                arguments("/openmetrics-text", TEXT),
                arguments("*/openmetrics-text", TEXT),
                arguments("application/openmetrics-text;q=high", TEXT),
                arguments("application/openmetrics-text;q=1.5", TEXT),
                arguments("application/openmetrics-text;q=-1", TEXT),
                arguments("application/openmetrics-text;version", TEXT),
                arguments("application/openmetrics-text;version=\"1.0.0", TEXT),
                arguments("application/openmetrics-text extra", TEXT),
                arguments("application/openmetrics-text;", OPENMETRICS),
                // a malformed range does not spoil the others
                arguments("garbage;;=,application/openmetrics-text;q=0.5", OPENMETRICS),
                arguments("application/openmetrics-text;x=\"a,b\"junk,application/vnd.google.protobuf;q=0.1," + PROTO + ";q=0.2", PROTOBUF),
                arguments("application/openmetrics-text;x=\"a,b;q=0\",text/plain;q=0.1", OPENMETRICS));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("headers")
    void negotiates(String accept, ExpositionFormat expected) {
        assertEquals(expected, ExpositionFormat.negotiate(accept));
    }

    @Test
    void contentTypes() {
        assertEquals("text/plain; version=0.0.4; charset=utf-8", TEXT.contentType());
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", OPENMETRICS.contentType());
        assertEquals("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
                PROTOBUF.contentType());
    }

    @Test
    void eachFormatRendersWithItsRenderer() throws Exception {
        Aggregator aggregator = new Aggregator(EngineSettings.unlimited(""), () -> 1_700_000_000_250L);
        aggregator.push(new Push(Labels.EMPTY, List.of(new MetricFamily("x_total", MetricType.COUNTER, "",
                List.of(new ScalarSample(Labels.EMPTY, 1))))));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        TEXT.render(aggregator.families(), text);
        assertEquals("# TYPE x_total counter\nx_total 1\n", text.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream om = new ByteArrayOutputStream();
        OPENMETRICS.render(aggregator.families(), om);
        assertEquals("# TYPE x counter\nx_total 1\nx_created 1700000000.25\n# EOF\n", om.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream proto = new ByteArrayOutputStream();
        PROTOBUF.render(aggregator.families(), proto);
        assertTrue(proto.size() > 0);
        assertEquals("x_total", io.aggregationgateway.proto.metrics.MetricFamily
                .parseDelimitedFrom(new java.io.ByteArrayInputStream(proto.toByteArray())).getName());
    }
}
