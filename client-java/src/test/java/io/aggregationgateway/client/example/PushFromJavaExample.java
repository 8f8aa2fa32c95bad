package io.aggregationgateway.client.example;

import io.aggregationgateway.client.PushClient;
import io.aggregationgateway.client.PushException;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;

import java.time.Duration;

/** Counts finished jobs and pushes them to the gateway named by the first argument (default localhost:8080). */
public class PushFromJavaExample {
    public static void main(String[] args) throws PushException {
        String gateway = args.length > 0 ? args[0] : "localhost:8080";

        CollectorRegistry registry = new CollectorRegistry();
        Counter jobsDone = Counter.build()
                .name("jobs_done").help("Jobs finished.").labelNames("queue")
                .register(registry);

        try (PushClient client = PushClient.builder()
                .target(gateway)              // gRPC, the default transport
                .job("mailer")                // grouping labels, added to every series
                .groupingLabel("zone", "eu")
                .build()) {
            jobsDone.labels("emails").inc(3);
            client.push(registry);            // the gateway adds 3

            client.startPeriodicPush(registry, Duration.ofSeconds(10)); // every 10 s: what changed since
            jobsDone.labels("emails").inc(2);
        }                                     // close(): one last push (+2), then disconnect
        // GET /metrics now shows jobs_done_total{job="mailer",queue="emails",zone="eu"} 5
    }
}
