package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.http2.Http2Setting;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.time.Duration;
import java.util.Set;

/**
 * Prior-knowledge HTTP/2 connections (h2c, what gRPC clients, nghttp and h2load open) as Helidon
 * serves them, with the gateway's gRPC calls ({@link GrpcCalls}), every client header block made
 * readable for Helidon ({@link HpackRewriter}), and the calls still open cancelled when the
 * connection ends ({@link ConnectionScope}). HTTP/2 requests that are not gRPC are routed as usual.
 *
 * <p>The listener's front door hands it the connections that open with the HTTP/2 preface. No
 * connection is upgraded from HTTP/1.1 ({@code Upgrade: h2c}): that would be Helidon's own HTTP/2
 * connection, without these fixes, in which one client header or one long gRPC error reply spins a
 * core for good (Helidon 4.4.0).
 */
public final class Http2Connections implements ServerConnectionSelector {
    private final ServerConnectionSelector helidon;
    private final Http2Config http2;

    private Http2Connections(Http2Config http2, GrpcConfig grpc, PushService service, GrpcServices services) {
        this.helidon = Http2ConnectionSelector.builder()
                .http2Config(http2)
                .addSubProtocolSelector(new GrpcCalls(grpc, service, services.directMethods()))
                .build();
        this.http2 = http2;
    }

    /**
     * @param service the gateway's push service, which counts and words refusals of push messages
     *                that are malformed, cannot be decompressed or are too large
     * @param services the gateway's gRPC services, whose push methods the gateway runs itself ({@link DirectCall})
     */
    public static ServerConnectionSelector create(Http2Config http2, GrpcConfig grpc, PushService service,
                                                  GrpcServices services) {
        return new Http2Connections(http2, grpc, service, services);
    }

    @Override
    public int bytesToIdentifyConnection() {
        return helidon.bytesToIdentifyConnection();
    }

    @Override
    public Support supports(BufferData data) {
        return helidon.supports(data);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return helidon.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        // Helidon does not announce SETTINGS_HEADER_TABLE_SIZE, so its decoder's table has the default size
        HpackRewriter rewriter = new HpackRewriter(Http2Setting.HEADER_TABLE_SIZE.defaultValue());
        CorkingDataWriter writer = new CorkingDataWriter(ctx.dataWriter());
        ConnectionCalls calls = new ConnectionCalls(writer);
        DataReader rewritten = DataReader.create(new RewritingFrameReader(ctx.dataReader(), rewriter,
                http2.maxFrameSize(), http2.maxHeaderListSize(), calls));
        ConnectionScope scope = new ConnectionScope(ctx, rewritten, writer, calls);
        return new EndingConnection(helidon.connection(scope), scope);
    }

    /** Helidon's connection, which ends its calls still open once it has ended. */
    private record EndingConnection(ServerConnection connection, ConnectionScope scope) implements ServerConnection {
        @Override
        public void handle(Limit limit) throws InterruptedException {
            try {
                connection.handle(limit);
            } finally {
                scope.calls().connectionEnded();
            }
        }

        @Override
        public Duration idleTime() {
            return connection.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            connection.close(interrupt);
        }
    }
}
