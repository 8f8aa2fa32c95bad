package io.aggregationgateway.client;

import javax.net.ssl.X509TrustManager;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Everything a {@link PushClient} was built with, checked and immutable.
 *
 * @param source         what every push sends
 * @param groupingLabels {@code job} first, then the others in the order they were given
 * @param runningTotals  whether pushes carry the source's running totals as they are (the client
 *                       is a source of the gateway, named by a source label among the grouping
 *                       labels), rather than increments
 * @param trustManager   for TLS, or null for the JDK's default trust store
 */
record ClientSettings(MetricsSource source,
                      Target target,
                      Transport transport,
                      Map<String, String> groupingLabels,
                      Map<String, String> headers,
                      Duration connectTimeout,
                      Duration requestTimeout,
                      RetryPolicy retryPolicy,
                      X509TrustManager trustManager,
                      Consumer<? super PushException> periodicFailureHandler,
                      boolean runningTotals) {

    static final String USER_AGENT = "aggregation-gateway-client-java";

    /** A fresh sender for the transport. */
    Sender newSender() {
        return transport == Transport.GRPC ? new GrpcSender(this) : new HttpSender(this);
    }
}
