/**
 * Pushes metrics from a Java service to the aggregation gateway, which adds up what its senders
 * push for Prometheus to scrape.
 *
 * <p>Start with {@link io.aggregationgateway.client.PushClient#builder()}. Sources:
 * a simpleclient {@code CollectorRegistry} (pushed as increments), {@code MetricFamily} messages
 * (pushed as they are), or a client_java 1.x {@code PrometheusRegistry} through
 * {@link io.aggregationgateway.client.PrometheusRegistryConverter}, the only class here that needs
 * the optional {@code io.prometheus:prometheus-metrics-model}.
 */
package io.aggregationgateway.client;
