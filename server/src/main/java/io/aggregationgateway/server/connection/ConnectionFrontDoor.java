package io.aggregationgateway.server.connection;

import io.helidon.common.buffers.BufferData;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2UpgradeProvider;
import io.helidon.webserver.spi.ProtocolConfig;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The listener's only connection selector: every connection starts in a {@link GuardedConnection}.
 *
 * <p>It must be the only one: Helidon 4.4.0 hands a connection to its single selector as soon as the
 * connection is accepted, but with several it waits, unbounded, for the client's first bytes to pick
 * one, and until then the connection is out of reach of any timeout (it is not even among the
 * connections the idle timeout looks at). So the listener is built with no discovered protocols
 * ({@link #withoutDiscoveredProtocols()}) and this selector, which picks between the two it is given:
 * HTTP/2 with prior knowledge (gRPC) and Helidon's HTTP/1.1, with {@code h2c} upgrades as Helidon's own
 * discovery would set them up.
 */
public final class ConnectionFrontDoor implements ServerConnectionSelector {
    private final ServerConnectionSelector http2;
    private final ServerConnectionSelector http1;
    private final Set<String> upgradeProtocols;
    private final Http1RequestFramer.Limits limits;
    private final ConnectionWatchdog watchdog;

    private ConnectionFrontDoor(ServerConnectionSelector http2, ServerConnectionSelector http1, Set<String> upgradeProtocols,
                                Http1RequestFramer.Limits limits, ConnectionWatchdog watchdog) {
        this.http2 = http2;
        this.http1 = http1;
        this.upgradeProtocols = Set.copyOf(upgradeProtocols);
        this.limits = limits;
        this.watchdog = watchdog;
    }

    /**
     * @param http2PriorKnowledge the selector for connections that open with the HTTP/2 preface
     * @param http2               the HTTP/2 settings for connections upgraded from HTTP/1.1 ({@code h2c})
     * @param http2SubProtocols   the protocols upgraded connections offer (gRPC)
     */
    public static ConnectionFrontDoor create(ServerConnectionSelector http2PriorKnowledge, Http2Config http2,
                                             List<ProtocolConfig> http2SubProtocols, ConnectionSettings settings,
                                             ConnectionWatchdog watchdog) {
        Http1Upgrader h2c = Http2UpgradeProvider.builder().build().create(http2, ProtocolConfigs.create(http2SubProtocols));
        Http1RequestFramer.Limits limits = settings.framingLimits();
        // Helidon's own limits sit above the framer's, which answers first and names the limit
        Http1Config http1Config = Http1Config.builder()
                .maxPrologueLength(limits.maxRequestLineBytes() + 1024)
                .maxHeadersSize(limits.maxHeaderBytes() + 1024)
                .build();
        ServerConnectionSelector http1 = Http1ConnectionSelector.builder()
                .config(http1Config)
                .putUpgrader(h2c.supportedProtocol(), h2c)
                .build();
        return new ConnectionFrontDoor(http2PriorKnowledge, http1, Set.of(h2c.supportedProtocol()), limits, watchdog);
    }

    /**
     * Configuration for the server builder (apply it first) that keeps Helidon from adding the protocols
     * it discovers, whose selectors would come before this one. Helidon 4.4.0's
     * {@code WebServerConfig.Builder.protocolsDiscoverServices(false)} sets a field that the listener
     * part of the builder, which does the discovering, never reads (the generated builder declares it
     * twice); the same setting given as configuration is read.
     */
    public static Config withoutDiscoveredProtocols() {
        return Config.just(ConfigSources.create(Map.of("protocols-discover-services", "false")));
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData request) {
        return Support.SUPPORTED; // only asked if other selectors were added after all: then it takes every connection
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        Set<String> protocols = new HashSet<>(http2.supportedApplicationProtocols());
        protocols.addAll(http1.supportedApplicationProtocols());
        return protocols;
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new GuardedConnection(ctx, http2, http1, upgradeProtocols, limits, watchdog);
    }
}
