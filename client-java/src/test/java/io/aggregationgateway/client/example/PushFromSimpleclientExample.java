package io.aggregationgateway.client.example;

import io.aggregationgateway.client.CollectorRegistrySource;
import io.aggregationgateway.client.PushClient;
import io.aggregationgateway.client.PushException;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;

/** The same with simpleclient, the legacy library: only the registry and the source line differ. */
public class PushFromSimpleclientExample {
    public static void main(String[] args) throws PushException {
        String gateway = args.length > 0 ? args[0] : "localhost:8080";

        CollectorRegistry registry = new CollectorRegistry();
        Counter jobsDone = Counter.build()
                .name("jobs_done").help("Jobs finished.").labelNames("queue")
                .register(registry);

        try (PushClient client = PushClient.builder()
                .target(gateway)
                .job("mailer-legacy")
                .source(CollectorRegistrySource.of(registry))
                .build()) {
            jobsDone.labels("emails").inc(3);
            client.push();                    // jobs_done_total{job="mailer-legacy",queue="emails"} 3
        }
    }
}
