package io.aggregationgateway.client.example;

import io.aggregationgateway.client.PushClient;
import io.aggregationgateway.client.PushException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;

/** Counts finished jobs and pushes them to the gateway named by the first argument (default localhost:8080). */
public class PushFromJavaExample {
    public static void main(String[] args) throws PushException {
        String gateway = args.length > 0 ? args[0] : "localhost:8080";

        PrometheusRegistry registry = new PrometheusRegistry();
        Counter jobsDone = Counter.builder()
                .name("jobs_done").help("Jobs finished.").labelNames("queue")
                .register(registry);

        try (PushClient client = PushClient.builder()
                .target(gateway)              // gRPC, the default transport
                .job("mailer")                // grouping labels, added to every series
                .groupingLabel("zone", "eu")
                .registry(registry)           // what every push sends; default PrometheusRegistry.defaultRegistry
                .build()) {
            jobsDone.labelValues("emails").inc(3);
            client.push();                    // the gateway adds 3

            client.startPeriodicPush(Duration.ofSeconds(10)); // every 10 s: what changed since
            jobsDone.labelValues("emails").inc(2);
        }                                     // close(): one last push (+2), then disconnect
        // GET /metrics now shows jobs_done_total{job="mailer",queue="emails",zone="eu"} 5
    }
}
