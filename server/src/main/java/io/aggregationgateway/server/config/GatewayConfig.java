package io.aggregationgateway.server.config;

import io.aggregationgateway.server.lifecycle.ResetSchedule;
import io.aggregationgateway.server.model.GaugeModes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;

/**
 * Everything the gateway is configured with, resolved once at startup.
 *
 * @param host                interface to listen on ({@code 0.0.0.0} for all)
 * @param port                TCP port for HTTP/1.1, h2c and gRPC
 * @param maxBodyBytes        largest push body accepted (after gzip decoding)
 * @param maxGrpcMessageBytes largest gRPC request message accepted
 * @param resetSchedule       when the whole aggregate is cleared, if ever
 * @param seriesTtl           a series not pushed to for this long disappears; zero for never
 * @param maxSeries           most series held at once
 * @param maxStoreBytes       most heap the store may take, as the engine estimates it
 * @param maxLabelsPerSeries  most labels per series
 * @param maxLabelValueBytes  longest label value in bytes
 * @param corsOrigins         browser origins allowed to push ({@code *} for any); empty for no CORS
 * @param selfMetrics         whether {@code GET /metrics} includes the gateway's own metrics
 * @param logLevel            the gateway's log level; rejected pushes are logged at INFO
 * @param corsAllowCredentials whether allowed origins may push with credentials
 * @param maxConnections      most connections open at once (before the file-descriptor limit lowers it)
 * @param idleTimeout         a connection with no request in progress for this long is closed
 * @param headerReadTimeout   a request head must arrive within this long
 * @param sourceLabels        label names that mark a cumulative push from a source; empty for none
 * @param gaugeModes          how gauge and untyped families combine their values
 * @param sourceTtl           a source that has not pushed for this long is forgotten; zero for never
 * @param maxSourceSeries     most (series, source) states held at once
 * @param persistenceFile     where the state is kept across restarts, if anywhere
 * @param persistenceInterval how often it is written there
 * @param persistenceIgnoreInvalid whether a file that cannot be loaded is moved aside for an empty start
 * @param settings            every setting with the value in force and where it came from, for display
 * @param security            TLS, users and roles, push rate limits, rules on what may be pushed
 */
public record GatewayConfig(String host, int port, int maxBodyBytes, int maxGrpcMessageBytes,
                            Optional<ResetSchedule> resetSchedule, Duration seriesTtl, long maxSeries,
                            long maxStoreBytes, int maxLabelsPerSeries, int maxLabelValueBytes, List<String> corsOrigins,
                            boolean selfMetrics, Level logLevel, boolean corsAllowCredentials,
                            int maxConnections, Duration idleTimeout, Duration headerReadTimeout,
                            List<String> sourceLabels, GaugeModes gaugeModes, Duration sourceTtl, long maxSourceSeries,
                            Optional<Path> persistenceFile, Duration persistenceInterval, boolean persistenceIgnoreInvalid,
                            List<Setting> settings, SecuritySettings security) {
    public GatewayConfig {
        corsOrigins = List.copyOf(corsOrigins);
        sourceLabels = List.copyOf(sourceLabels);
        settings = List.copyOf(settings);
    }
}
