package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.support.RunningGateway;
import io.aggregationgateway.testsupport.RealPrometheus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * End to end: client_java 1.x native histograms pushed by several pushers with different schemas,
 * scraped by a real Prometheus with native histograms enabled; {@code histogram_count()} and
 * {@code histogram_sum()} read back through its query API equal the totals pushed, and the
 * gateway's sum is the histogram Prometheus's own {@code sum()} makes of the pushers' histograms.
 */
class NativeHistogramPrometheusTest {
    /** The first scrape comes 5-6 s after Prometheus starts; give up well after that. */
    private static final Duration SCRAPED_WITHIN = Duration.ofSeconds(60);

    @Test
    void prometheusReadsTheSumOfWhatWasPushed(@TempDir Path dir) throws Exception {
        List<List<Double>> split = ClientJavaNativeHistogramTest.observations(7, 3);
        int[] schemas = {5, 3, 1};
        int count = 0;
        double sum = 0;
        try (RunningGateway gateway = new RunningGateway()) {
            for (int i = 0; i < schemas.length; i++) {
                List<Double> values = new ArrayList<>(split.get(i));
                values.add(-0.25 * (i + 1)); // negative buckets too
                values.add(0.0);             // and the zero bucket
                count += values.size();
                for (double v : values) {
                    sum += v;
                }
                var registry = ClientJavaPushers.registry("e2e_latency_seconds", schemas[i], values);
                // once into the shared series, once into a series of its own to compare with sum()
                ClientJavaPushers.push(registry, gateway.port(), "e2e", Map.of());
                ClientJavaPushers.push(registry, gateway.port(), "e2e", Map.of("pusher", "p" + i));
            }
            try (RealPrometheus prometheus = RealPrometheus.start(dir, List.of("127.0.0.1:" + gateway.port()),
                    "native-histograms")) {
                String merged = "e2e_latency_seconds{job=\"e2e\",pusher=\"\"}";
                String each = "e2e_latency_seconds{job=\"e2e\",pusher!=\"\"}";
                prometheus.awaitValue("histogram_count(" + merged + ")", count, SCRAPED_WITHIN);
                prometheus.awaitValue("histogram_sum(" + merged + ")", sum, SCRAPED_WITHIN);

                // all three pushers' own series scraped: sum() adds the same histograms the gateway added
                prometheus.awaitValue("count(" + each + ")", 3, SCRAPED_WITHIN);
                Map<?, ?> ours = histogram(prometheus.queryResult(merged));
                Map<?, ?> theirs = histogram(prometheus.queryResult("sum(" + each + ")"));
                // the sums of the observations, added in other orders, may differ in the last bits
                ours.remove("sum");
                theirs.remove("sum");
                assertEquals(theirs, ours);
            }
        }
    }

    /** The native histogram of a one-sample result: {@code count}, {@code sum}, {@code buckets}. */
    private static Map<?, ?> histogram(List<?> result) {
        assertEquals(1, result.size(), () -> "one sample expected: " + result);
        List<?> sample = (List<?>) ((Map<?, ?>) result.getFirst()).get("histogram");
        return new HashMap<>((Map<?, ?>) sample.get(1));
    }
}
