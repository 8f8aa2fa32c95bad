package io.aggregationgateway.server.e2e;

import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * client_java 1.x pushes its native histograms over HTTP in protobuf; the gateway's sum must be
 * what one client_java histogram that saw every observation holds.
 */
class ClientJavaNativeHistogramTest {
    static final String PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    private static RunningGateway gateway;

    @BeforeAll
    static void start() {
        gateway = new RunningGateway();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @BeforeEach
    void empty() {
        gateway.aggregator.reset();
    }

    /** Latencies between 1 ms and 10 s: at most 107 buckets at schema 3, below client_java's limit of 160. */
    static List<List<Double>> observations(long seed, int pushers) {
        Random random = new Random(seed);
        List<List<Double>> out = new ArrayList<>();
        for (int p = 0; p < pushers; p++) {
            List<Double> values = new ArrayList<>();
            for (int n = 50 + random.nextInt(100); n > 0; n--) {
                values.add(Math.pow(10, -3 + 4 * random.nextDouble()));
            }
            out.add(values);
        }
        return out;
    }

    @Test
    void sameSchemaSumEqualsOneHistogramOfAllObservations() throws Exception {
        List<List<Double>> split = observations(1, 3);
        List<Double> all = new ArrayList<>();
        for (List<Double> values : split) {
            all.addAll(values);
            ClientJavaPushers.push(ClientJavaPushers.registry("rt_seconds", 3, values), gateway.port(), "workers", Map.of());
        }
        ClientJavaPushers.push(ClientJavaPushers.registry("rt_seconds", 3, all), gateway.port(), "reference", Map.of());

        Map<String, Histogram> byJob = scrapeHistograms("rt_seconds");
        Histogram merged = byJob.get("workers");
        Histogram reference = byJob.get("reference");
        assertEquals(all.size(), merged.getSampleCount());
        assertEquals(3, merged.getSchema());
        assertTrue(merged.getPositiveSpanCount() > 0);
        assertTrue(merged.getBucketCount() > 0, "client_java's classic buckets come along");
        // the sums of the same doubles added in another order may differ in the last bits
        assertEquals(reference.getSampleSum(), merged.getSampleSum(), 1e-9 * reference.getSampleSum());
        assertEquals(reference.toBuilder().setSampleSum(0).build(), merged.toBuilder().setSampleSum(0).build());
    }

    @Test
    void differentSchemasSumIsAtTheCoarsest() throws Exception {
        List<List<Double>> split = observations(2, 3);
        int[] schemas = {5, 3, 0};
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < schemas.length; i++) {
            all.addAll(split.get(i));
            ClientJavaPushers.push(ClientJavaPushers.registry("rt_seconds", schemas[i], split.get(i)), gateway.port(),
                    "workers", Map.of());
        }
        ClientJavaPushers.push(ClientJavaPushers.registry("rt_seconds", 0, all), gateway.port(), "reference", Map.of());

        Map<String, Histogram> byJob = scrapeHistograms("rt_seconds");
        Histogram merged = byJob.get("workers");
        Histogram reference = byJob.get("reference");
        assertEquals(0, merged.getSchema());
        assertEquals(all.size(), merged.getSampleCount());
        assertEquals(reference.getSampleSum(), merged.getSampleSum(), 1e-9 * reference.getSampleSum());
        assertEquals(reference.toBuilder().setSampleSum(0).build(), merged.toBuilder().setSampleSum(0).build());
    }

    @Test
    void invalidNativeHistogramOverHttpIs400NamingFamilySeriesAndReason() throws Exception {
        MetricFamily bad = MetricFamily.newBuilder().setName("rt_seconds").setType(MetricType.HISTOGRAM)
                .addMetric(Metric.newBuilder().addLabel(LabelPair.newBuilder().setName("path").setValue("/a"))
                        .setHistogram(Histogram.newBuilder().setSampleCount(5).setSchema(12).setZeroThreshold(0x1p-128)
                                .addPositiveSpan(BucketSpan.newBuilder().setOffset(0).setLength(1)).addPositiveDelta(5)))
                .build();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        bad.writeDelimitedTo(body);
        HttpResponse<byte[]> response = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics/job/a"))
                .header("Content-Type", PROTOBUF).POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        assertEquals(400, response.statusCode());
        assertEquals("family rt_seconds, series {job=\"a\",path=\"/a\"}: native histogram: schema 12 is outside -4..8",
                new String(response.body(), StandardCharsets.UTF_8).strip());
        assertEquals(0, gateway.aggregator.seriesCount());
    }

    /** The gateway's protobuf scrape: the family's histograms by their job label. */
    private static Map<String, Histogram> scrapeHistograms(String family) throws Exception {
        HttpResponse<byte[]> response = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics")).header("Accept", PROTOBUF));
        assertEquals(200, response.statusCode());
        ByteArrayInputStream in = new ByteArrayInputStream(response.body());
        MetricFamily f;
        while ((f = MetricFamily.parseDelimitedFrom(in)) != null) {
            if (f.getName().equals(family)) {
                assertEquals(MetricType.HISTOGRAM, f.getType());
                Map<String, Histogram> byJob = new java.util.TreeMap<>();
                for (Metric m : f.getMetricList()) {
                    String job = m.getLabelList().stream().filter(l -> l.getName().equals("job")).findFirst().orElseThrow().getValue();
                    // the gateway's start of the series, which the client's own histograms do not carry
                    assertTrue(m.getHistogram().hasCreatedTimestamp(), "created_timestamp of " + job);
                    byJob.put(job, m.getHistogram().toBuilder().clearCreatedTimestamp().build());
                }
                return byJob;
            }
        }
        throw new AssertionError("no family " + family + " in the scrape");
    }
}
