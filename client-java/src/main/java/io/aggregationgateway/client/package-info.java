/**
 * Pushes metrics from a Java service to the aggregation gateway, which adds up what its senders
 * push for Prometheus to scrape.
 *
 * <p>Start with {@link io.aggregationgateway.client.PushClient#builder()}. What a client pushes is
 * fixed when it is built: a client_java 1.x {@code PrometheusRegistry} (the default, and this
 * library's own dependency), a simpleclient {@code CollectorRegistry} through
 * {@link io.aggregationgateway.client.CollectorRegistrySource}, the only class here that needs the
 * optional {@code io.prometheus:simpleclient}, or {@code MetricFamily} messages of your own through
 * {@link io.aggregationgateway.client.MetricsSource}.
 */
package io.aggregationgateway.client;
