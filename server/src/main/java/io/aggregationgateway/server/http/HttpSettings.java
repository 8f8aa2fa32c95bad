package io.aggregationgateway.server.http;

import java.util.List;

/**
 * What the HTTP routes need from the configuration.
 *
 * @param maxBodyBytes largest push body accepted, after decoding
 * @param corsOrigins  browser origins allowed to push ({@code *} for any); empty for none
 * @param corsAllowCredentials whether allowed origins may push with credentials
 * @param selfMetrics  whether scrapes include the gateway's own metrics
 */
public record HttpSettings(int maxBodyBytes, List<String> corsOrigins, boolean corsAllowCredentials, boolean selfMetrics) {
    public HttpSettings {
        corsOrigins = List.copyOf(corsOrigins);
    }
}
