package io.aggregationgateway.server.http;

import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.server.support.RunningGateway;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sources through the real server: PUT, POST and DELETE routes, gRPC, the limit, expiry, self-metrics, status. */
class SourcesHttpTest {
    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static HttpResponse<byte[]> put(RunningGateway gateway, String path, String text) throws Exception {
        return gateway.send(HttpRequest.newBuilder(gateway.uri(path)).header("Content-Type", "text/plain; version=0.0.4")
                .PUT(HttpRequest.BodyPublishers.ofString(text)));
    }

    private static HttpResponse<byte[]> delete(RunningGateway gateway, String path) throws Exception {
        return gateway.send(HttpRequest.newBuilder(gateway.uri(path)).DELETE());
    }

    private static String totals(double jobs, double queue) {
        return "# TYPE jobs_total counter\njobs_total " + jobs + "\n# TYPE queue_depth gauge\nqueue_depth " + queue + "\n";
    }

    @Test
    void putPostAndDeleteFromSources() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--source-label", "instance", "--self-metrics", "false")) {
            assertEquals(200, put(gateway, "/metrics/job/w/instance/a", totals(5, 2)).statusCode());
            assertEquals(200, put(gateway, "/metrics/job/w/instance/b", totals(3, 1)).statusCode());
            assertEquals(200, put(gateway, "/metrics/job/w/instance/a", totals(7, 4)).statusCode());
            assertEquals(200, put(gateway, "/metrics/job/w/instance/a", totals(7, 4)).statusCode()); // a retry
            assertEquals(200, gateway.pushText("/metrics/job/w/instance/b", "# TYPE jobs_total counter\njobs_total 4\n").statusCode());
            assertEquals("""
                    # TYPE jobs_total counter
                    jobs_total{job="w"} 11
                    # TYPE queue_depth gauge
                    queue_depth{job="w"} 5
                    """, gateway.scrape());

            HttpResponse<byte[]> forgot = delete(gateway, "/metrics/job/w/instance/a");
            assertEquals(202, forgot.statusCode());
            assertEquals("forgot 1 sources carrying {instance=\"a\",job=\"w\"}\n", body(forgot));
            assertEquals("""
                    # TYPE jobs_total counter
                    jobs_total{job="w"} 11
                    # TYPE queue_depth gauge
                    queue_depth{job="w"} 1
                    """, gateway.scrape());

            HttpResponse<byte[]> deleted = delete(gateway, "/metrics/job/w");
            assertEquals("deleted 2 series carrying {job=\"w\"}\n", body(deleted));
            assertEquals("", gateway.scrape());
        }
    }

    @Test
    void grpcPushesWithTheSourceLabelAmongTheirGroupingLabelsAreCumulative() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--source-label", "instance", "--self-metrics", "false")) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
            try {
                var stub = AggregationGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                for (double total : new double[] {5, 7, 7}) {
                    stub.push(grpcTotals("a", total));
                }
                stub.push(grpcTotals("b", 2));
                stub.push(PushRequest.newBuilder().putGroupingLabels("job", "g").addFamilies(counterFamily(10)).build()); // delta
                assertEquals("""
                        # TYPE jobs_total counter
                        jobs_total{job="g"} 19
                        # TYPE temp gauge
                        temp{job="g"} 3
                        """, gateway.scrape());
                // replace, as PUT does: a's gauge, missing from the request, is forgotten
                stub.push(PushRequest.newBuilder().putGroupingLabels("job", "g").putGroupingLabels("instance", "a")
                        .setReplace(true).addFamilies(counterFamily(8)).build());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            assertEquals("""
                    # TYPE jobs_total counter
                    jobs_total{job="g"} 20
                    # TYPE temp gauge
                    temp{job="g"} 2
                    """, gateway.scrape());
        }
    }

    private static PushRequest grpcTotals(String instance, double total) {
        return PushRequest.newBuilder().putGroupingLabels("job", "g").putGroupingLabels("instance", instance)
                .addFamilies(counterFamily(total))
                .addFamilies(MetricFamily.newBuilder().setName("temp").setType(MetricType.GAUGE)
                        .addMetric(Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(instance.equals("a") ? 1 : 2))))
                .build();
    }

    private static MetricFamily counterFamily(double value) {
        return MetricFamily.newBuilder().setName("jobs_total").setType(MetricType.COUNTER)
                .addMetric(Metric.newBuilder().setCounter(Counter.newBuilder().setValue(value))).build();
    }

    @Test
    void newStatesOverTheLimitGet429() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--source-label", "instance", "--max-source-series", "2",
                "--self-metrics", "false")) {
            assertEquals(200, gateway.pushText("/metrics/job/w/instance/a", totals(1, 1)).statusCode());
            HttpResponse<byte[]> refused = gateway.pushText("/metrics/job/w/instance/b", totals(1, 1));
            assertEquals(429, refused.statusCode());
            assertTrue(body(refused).contains("exceed the limit of 2 (--max-source-series)"), body(refused));
            assertEquals(200, gateway.pushText("/metrics/job/w/instance/a", totals(2, 1)).statusCode());
        }
    }

    @Test
    void aSilentSourceExpiresAndTheSelfMetricsAndStatusSayWhatHappened() throws Exception {
        try (RunningGateway gateway = new RunningGateway("--source-label", "instance", "--source-ttl", "500ms")) {
            gateway.pushText("/metrics/job/w/instance/a", totals(5, 2));
            gateway.pushText("/metrics/job/w/instance/a", totals(1, 2)); // restarted
            String scrape = gateway.scrape();
            assertTrue(scrape.contains("aggregation_gateway_sources 1\n"), scrape);
            assertTrue(scrape.contains("aggregation_gateway_source_states 2\n"), scrape);
            assertTrue(scrape.contains("aggregation_gateway_source_restarts_total 1\n"), scrape);
            String status = body(gateway.send(HttpRequest.newBuilder(gateway.uri("/api/v1/status"))));
            assertTrue(status.contains("\"sourceFamilies\":[{\"family\":\"jobs_total\",\"type\":\"counter\",\"gaugeMode\":null,"
                    + "\"sources\":1,\"states\":1},{\"family\":\"queue_depth\",\"type\":\"gauge\",\"gaugeMode\":\"sum\","
                    + "\"sources\":1,\"states\":1}]"), status);
            assertTrue(status.contains("\"sources\":{\"sourceLabels\":\"instance\",\"live\":1,\"states\":2,"
                    + "\"maxStates\":2000000,\"ttlSeconds\":0.5,\"expired\":0,\"restarts\":1}"), status);
            assertTrue(OperationsTest.eventually(Duration.ofSeconds(5),
                    () -> gateway.scrape().contains("aggregation_gateway_source_expiries_total 1\n")), gateway.scrape());
            scrape = gateway.scrape();
            assertTrue(scrape.contains("jobs_total{job=\"w\"} 6\n"), scrape);
            assertTrue(!scrape.contains("queue_depth"), scrape);
            assertTrue(scrape.contains("aggregation_gateway_sources 0\n"), scrape);
            String page = body(gateway.send(HttpRequest.newBuilder(gateway.uri("/status"))));
            assertTrue(page.contains("Sources") && page.contains("No source has pushed since start."), page);
        }
    }
}
