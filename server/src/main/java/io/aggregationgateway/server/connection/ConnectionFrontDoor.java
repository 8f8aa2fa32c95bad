package io.aggregationgateway.server.connection;

import io.helidon.common.buffers.BufferData;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The listener's only connection selector: every connection starts in a {@link GuardedConnection}.
 *
 * <p>It must be the only one: Helidon 4.4.0 hands a connection to its single selector as soon as the
 * connection is accepted, but with several it waits, unbounded, for the client's first bytes to pick
 * one, and until then the connection is out of reach of any timeout (it is not even among the
 * connections the idle timeout looks at). So the listener is built with no discovered protocols
 * ({@link #withoutDiscoveredProtocols()}) and this selector, which picks between the two it knows:
 * HTTP/2 with prior knowledge (gRPC), through the selector it is given, and Helidon's HTTP/1.1. The
 * HTTP/1.1 side offers no upgrades: a request with {@code Upgrade: h2c} is answered over HTTP/1.1
 * (RFC 9110 lets a server ignore the header), since an upgraded connection would be Helidon's own
 * HTTP/2 without the gateway's fixes.
 *
 * <p>With TLS on the listener every connection comes here too, its handshake not yet run: the
 * connection runs it with its first read (offering by ALPN the protocols this selector names,
 * {@code h2} and {@code http/1.1}) under the header-read deadline, then {@code h2} goes to the
 * HTTP/2 selector, anything else to HTTP/1.x.
 */
public final class ConnectionFrontDoor implements ServerConnectionSelector {
    private final ServerConnectionSelector http2;
    private final ServerConnectionSelector http1;
    private final Http1RequestFramer.Limits limits;
    private final ConnectionWatchdog watchdog;

    private ConnectionFrontDoor(ServerConnectionSelector http2, ServerConnectionSelector http1,
                                Http1RequestFramer.Limits limits, ConnectionWatchdog watchdog) {
        this.http2 = http2;
        this.http1 = http1;
        this.limits = limits;
        this.watchdog = watchdog;
    }

    /** @param http2PriorKnowledge the selector for connections that open with the HTTP/2 preface */
    public static ConnectionFrontDoor create(ServerConnectionSelector http2PriorKnowledge, ConnectionSettings settings,
                                             ConnectionWatchdog watchdog) {
        Http1RequestFramer.Limits limits = settings.framingLimits();
        // Helidon's own limits sit above the framer's, which answers first and names the limit
        Http1Config http1Config = Http1Config.builder()
                .maxPrologueLength(limits.maxRequestLineBytes() + 1024)
                .maxHeadersSize(limits.maxHeaderBytes() + 1024)
                .build();
        ServerConnectionSelector http1 = Http1ConnectionSelector.builder().config(http1Config).build();
        return new ConnectionFrontDoor(http2PriorKnowledge, http1, limits, watchdog);
    }

    /**
     * Configuration for the server builder (apply it first) that keeps Helidon from adding the protocols
     * it discovers, whose selectors would come before this one. Helidon 4.4.0's
     * {@code WebServerConfig.Builder.protocolsDiscoverServices(false)} sets a field that the listener
     * part of the builder, which does the discovering, never reads (the generated builder declares it
     * twice); the same setting given as configuration is read. Server features are not discovered
     * either: the only one on the class path is Helidon's gRPC reflection, off unless configured (the
     * gateway serves grpc-java's reflection service itself).
     *
     * <p>Built with no more of Helidon's config machinery than these two booleans need: no environment
     * or system properties, no parsers, filters or mapper services looked up on the class path, no
     * expressions, no thread to watch for changes.
     */
    public static Config withoutDiscoveredProtocols() {
        return Config.builder(ConfigSources.create(Map.of(
                        "protocols-discover-services", "false",
                        "features-discover-services", "false")))
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .disableParserServices()
                .disableFilterServices()
                .disableMapperServices()
                .disableValueResolving()
                .changesExecutor(command -> { })
                .build();
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
        return new GuardedConnection(ctx, http2, http1, limits, watchdog);
    }
}
