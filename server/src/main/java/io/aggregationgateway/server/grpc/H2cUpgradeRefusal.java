package io.aggregationgateway.server.grpc;

import io.helidon.common.Weighted;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.spi.Http1UpgradeProvider;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.spi.ServerConnection;

/**
 * Serves HTTP/1.1 requests that ask for {@code Upgrade: h2c} as HTTP/1.1 (RFC 9110 lets a server
 * ignore the header). Helidon would switch them to an HTTP/2 connection of its own, without the
 * gateway's fixes ({@link Http2Connections}): there one client header or one long gRPC error reply
 * spins a core for good (Helidon 4.4.0). HTTP/2 clients connect with prior knowledge instead.
 *
 * <p>Found through {@code META-INF/services}, and weighted above Helidon's own h2c upgrade provider,
 * which Helidon then leaves out: it keeps the first upgrader of each protocol, heaviest first.
 */
public final class H2cUpgradeRefusal implements Http1UpgradeProvider<Http2Config>, Weighted {
    /** For {@link java.util.ServiceLoader}. */
    public H2cUpgradeRefusal() {
    }

    @Override
    public double weight() {
        return Weighted.DEFAULT_WEIGHT * 2;
    }

    @Override
    public String protocolType() {
        return "http_2"; // as Helidon's Http2UpgradeProvider, so that it is configured wherever that one is
    }

    @Override
    public Class<Http2Config> protocolConfigType() {
        return Http2Config.class;
    }

    @Override
    public Http1Upgrader create(Http2Config config, ProtocolConfigs configs) {
        return new Http1Upgrader() {
            @Override
            public String supportedProtocol() {
                return "h2c";
            }

            @Override
            public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
                return null; // not upgraded: Helidon answers the request over HTTP/1.1
            }
        };
    }
}
