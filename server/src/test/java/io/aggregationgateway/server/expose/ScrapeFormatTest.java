package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.NameEscaping;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** What each {@code Accept} gets: format, version and escaping, as the response's {@code Content-Type} states them. */
class ScrapeFormatTest {
    private static final String PROTO = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
    private static final String OM_1_UTF8 = "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8";
    private static final String OM_1_UNDERSCORES = "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores";
    private static final String OM_0_0_1 = "application/openmetrics-text; version=0.0.1; charset=utf-8";
    private static final String TEXT_1_UTF8 = "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8";
    private static final String TEXT_0_0_4 = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    private static final String PROTOBUF_UTF8 = PROTOBUF + "; escaping=allow-utf-8";
    private static final String PROTOBUF_UNDERSCORES = PROTOBUF + "; escaping=underscores";

    static Stream<Arguments> accepts() {
        return Stream.of(
                // Prometheus 3: default scrape_protocols; text protocols only; protobuf first; escaping configured
                arguments("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                        + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
                        + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2", OM_1_UTF8, NameEscaping.ALLOW_UTF8),
                arguments("text/plain;version=1.0.0;escaping=allow-utf-8;q=0.6,text/plain;version=0.0.4;q=0.5,*/*;q=0.4",
                        TEXT_1_UTF8, NameEscaping.ALLOW_UTF8),
                arguments(PROTO + ";q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
                        + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
                        + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1", PROTOBUF_UTF8, NameEscaping.ALLOW_UTF8),
                arguments("application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,"
                        + "application/openmetrics-text;version=0.0.1;q=0.5,*/*;q=0.2", OM_1_UNDERSCORES, NameEscaping.UNDERSCORES),
                // Prometheus 3.0's first form: the parameter on every range
                arguments("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
                        + "application/openmetrics-text;version=0.0.1;escaping=allow-utf-8;q=0.4,"
                        + "text/plain;version=0.0.4;escaping=allow-utf-8;q=0.3,*/*;q=0.2", OM_1_UTF8, NameEscaping.ALLOW_UTF8),
                // Prometheus 2.x: no escaping parameter, underscores then
                arguments("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", OM_1_UNDERSCORES, NameEscaping.UNDERSCORES),
                arguments("text/plain;version=0.0.4", TEXT_0_0_4, NameEscaping.UNDERSCORES),
                // protobuf: Prometheus 2.x shows nothing of UTF-8 names (and refuses a protobuf scrape holding one)
                arguments(PROTO + ";q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2", PROTOBUF_UNDERSCORES, NameEscaping.UNDERSCORES),
                arguments(PROTO, PROTOBUF_UNDERSCORES, NameEscaping.UNDERSCORES),
                // every escaping on the 1.0.0 formats; absent or unknown: underscores
                arguments("text/plain;version=1.0.0", "text/plain; version=1.0.0; charset=utf-8; escaping=underscores",
                        NameEscaping.UNDERSCORES),
                arguments("text/plain;version=1.0.0;escaping=dots", "text/plain; version=1.0.0; charset=utf-8; escaping=dots",
                        NameEscaping.DOTS),
                arguments("application/openmetrics-text;version=1.0.0;escaping=values",
                        "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values", NameEscaping.VALUES),
                arguments("application/openmetrics-text;escaping=\"allow-utf-8\"", OM_1_UTF8, NameEscaping.ALLOW_UTF8),
                arguments("application/openmetrics-text;version=1.0.0;escaping=bogus", OM_1_UNDERSCORES, NameEscaping.UNDERSCORES),
                arguments("application/openmetrics-text;version=1.0.0;escaping=Allow-UTF-8", OM_1_UNDERSCORES,
                        NameEscaping.UNDERSCORES),
                arguments("application/openmetrics-text", OM_1_UNDERSCORES, NameEscaping.UNDERSCORES),
                // the legacy versions always escape with underscores, whatever the range says
                arguments("application/openmetrics-text;version=0.0.1", OM_0_0_1, NameEscaping.UNDERSCORES),
                arguments("application/openmetrics-text;version=0.0.1;escaping=allow-utf-8", OM_0_0_1, NameEscaping.UNDERSCORES),
                arguments("text/plain;version=0.0.4;escaping=allow-utf-8", TEXT_0_0_4, NameEscaping.UNDERSCORES),
                arguments("text/plain;escaping=allow-utf-8", TEXT_0_0_4, NameEscaping.UNDERSCORES),
                // a parameter on the protobuf range itself decides
                arguments(PROTO + ";escaping=allow-utf-8", PROTOBUF_UTF8, NameEscaping.ALLOW_UTF8),
                arguments(PROTO + ";escaping=values,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.1",
                        PROTOBUF + "; escaping=values", NameEscaping.VALUES),
                // the winner's parameter counts, not another range's
                arguments("text/plain;version=1.0.0;escaping=allow-utf-8;q=0.2,application/openmetrics-text;version=1.0.0;q=0.9",
                        OM_1_UNDERSCORES, NameEscaping.UNDERSCORES),
                // nothing served: text 0.0.4
                arguments(null, TEXT_0_0_4, NameEscaping.UNDERSCORES),
                arguments("*/*", TEXT_0_0_4, NameEscaping.UNDERSCORES),
                arguments("text/plain;version=2.0.0,application/json", TEXT_0_0_4, NameEscaping.UNDERSCORES));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("accepts")
    void negotiates(String accept, String contentType, NameEscaping escaping) {
        ScrapeFormat format = ScrapeFormat.negotiate(accept);
        assertEquals(contentType, format.contentType());
        assertEquals(escaping, format.escaping());
    }
}
