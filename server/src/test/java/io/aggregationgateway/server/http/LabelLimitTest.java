package io.aggregationgateway.server.http;

import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --max-labels-per-series} through a real server: a body with a huge label set is refused
 * while it is parsed, and no reply echoes a label set whole.
 */
class LabelLimitTest {

    /** {@code {l000000="1",...}} with n labels, their names in ascending or descending order. */
    private static String labels(int n, boolean descending) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",").append(String.format("l%06d", descending ? n - 1 - i : i)).append("=\"1\"");
        }
        return out.append('}').toString();
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /**
     * 120,000 labels in 1.5 MB, in descending order (the worst case of the insertion sort the
     * label builder had): this cost minutes of CPU sorting them, and came back whole in the 400.
     */
    @Test
    void aHugeLabelSetIsRefusedWithAShortMessage() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            String huge = "# TYPE m gauge\nm" + labels(120_000, true) + " 1\n";
            HttpResponse<byte[]> text = gateway.pushText("/metrics/job/a", huge);
            assertEquals(400, text.statusCode());
            assertEquals("line 2: sample \"m\" has more labels than the limit of 64 (--max-labels-per-series)\n", body(text));

            HttpResponse<byte[]> openMetrics = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/a"))
                    .header("Content-Type", "application/openmetrics-text; version=1.0.0")
                    .POST(HttpRequest.BodyPublishers.ofString(huge + "# EOF\n")));
            assertEquals(400, openMetrics.statusCode());
            assertEquals("line 2: sample \"m\" has more labels than the limit of 64 (--max-labels-per-series)\n",
                    body(openMetrics));
            assertEquals("", gateway.scrape());
        }
    }

    /** 64 labels in the body and the grouping label {@code job}: 65, refused by the engine with the set cut. */
    @Test
    void groupingLabelsOverTheLimitAreRefusedWithTheLabelSetCutToACount() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--self-metrics", "false")) {
            HttpResponse<byte[]> response = gateway.pushText("/metrics/job/a", "m" + labels(64, false) + " 1\n");
            assertEquals(400, response.statusCode());
            String message = body(response);
            assertTrue(message.startsWith("family m, series {job=\"a\",l000000=\"1\",l000001=\"1\","), message);
            assertTrue(message.endsWith(" more}: 65 labels, more than the limit of 64 (--max-labels-per-series)\n"),
                    message);
            assertTrue(message.length() < 400, message);
            assertEquals("", gateway.scrape());
        }
    }
}
