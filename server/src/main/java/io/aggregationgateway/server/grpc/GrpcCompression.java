package io.aggregationgateway.server.grpc;

import io.grpc.Status;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2Settings;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2StreamWriter;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.http.http2.StreamFlowControl;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.Router;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcProtocolSelector;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2ConnectionSelector;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector;
import io.helidon.webserver.http2.spi.SubProtocolResult;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * gRPC over HTTP/2 with uncompressed replies, and gzip-compressed requests that work.
 *
 * <p>Helidon 4.4's gRPC handler compresses every reply with the first encoding the client lists in
 * {@code grpc-accept-encoding}, and grpc-java lists {@code gzip} by default: each call then sets
 * up a new {@code Deflater} (native zlib state and a cleaner) and a 16 KiB copy buffer to gzip a
 * {@code PushResponse} of a few bytes, about a tenth of a small push's CPU. Its only switch,
 * {@code GrpcConfig.enableCompression(false)}, also makes it ignore {@code grpc-encoding} on
 * requests; and with compression on it fails on gzip-compressed requests anyway (see
 * {@link GunzipRequests}).
 *
 * <p>So every call goes to Helidon's gRPC handler with compression off, which answers with
 * {@code grpc-encoding: identity} (the gRPC spec lets a server answer uncompressed whatever the
 * client accepts, and every client reads uncompressed replies); a {@code grpc-encoding: gzip}
 * call gets its messages decompressed on the way in by {@link GunzipRequests}. A call in any other
 * encoding is refused with {@code UNIMPLEMENTED} and {@code grpc-accept-encoding: gzip}, as the
 * gRPC spec asks (Helidon did the same, then logged a {@code NullPointerException} of its own).
 */
public final class GrpcCompression implements Http2SubProtocolSelector {
    private static final HeaderName GRPC_ENCODING = HeaderNames.create("grpc-encoding");

    private final Http2SubProtocolSelector helidon;
    private final PushService service;

    private GrpcCompression(GrpcConfig config, PushService service) {
        this.helidon = GrpcProtocolSelector.create(GrpcConfig.builder().from(config).enableCompression(false).build());
        this.service = service;
    }

    /**
     * The HTTP/2 connection selector to add to the listener ({@code addConnectionSelector}): Helidon
     * tries explicitly added selectors before the ones it discovers, so prior-knowledge h2c
     * connections (what gRPC clients open) get these gRPC handlers. HTTP/2 requests that are not
     * gRPC are routed as usual.
     *
     * @param service the gateway's gRPC service, which counts and words refusals of messages
     *                that cannot be decompressed or are too large once decompressed
     */
    public static ServerConnectionSelector connectionSelector(Http2Config http2, GrpcConfig grpc, PushService service) {
        return Http2ConnectionSelector.builder()
                .http2Config(http2)
                .addSubProtocolSelector(new GrpcCompression(grpc, service))
                .build();
    }

    @Override
    public SubProtocolResult subProtocol(ConnectionContext ctx, HttpPrologue prologue, Http2Headers headers,
                                         Http2StreamWriter streamWriter, int streamId, Http2Settings serverSettings,
                                         Http2Settings clientSettings, StreamFlowControl flowControl,
                                         Http2StreamState currentStreamState, Router router) {
        SubProtocolResult result = helidon.subProtocol(ctx, prologue, headers, streamWriter, streamId, serverSettings,
                clientSettings, flowControl, currentStreamState, router);
        Headers httpHeaders = headers.httpHeaders();
        if (!result.supported() || !httpHeaders.contains(GRPC_ENCODING)) {
            return result; // not gRPC, or gRPC with uncompressed messages
        }
        String encoding = httpHeaders.get(GRPC_ENCODING).get();
        if (encoding.equals("identity")) {
            return result;
        }
        if (encoding.equals("gzip")) {
            return new SubProtocolResult(true, new GunzipRequests(result.subProtocol(), streamWriter, streamId,
                    flowControl, service.maxMessageBytes(), service));
        }
        return new SubProtocolResult(true, new UnsupportedEncoding(streamWriter, streamId, flowControl, encoding));
    }

    /** Refuses a call whose messages are in an encoding the gateway cannot decode. */
    private static final class UnsupportedEncoding implements SubProtocolHandler {
        private final Http2StreamWriter writer;
        private final int streamId;
        private final StreamFlowControl flowControl;
        private final String encoding;
        private Http2StreamState state = Http2StreamState.OPEN;

        UnsupportedEncoding(Http2StreamWriter writer, int streamId, StreamFlowControl flowControl, String encoding) {
            this.writer = writer;
            this.streamId = streamId;
            this.flowControl = flowControl;
            this.encoding = encoding;
        }

        @Override
        public void init() {
            WritableHeaders<?> headers = WritableHeaders.create();
            headers.set(HeaderValues.create("grpc-accept-encoding", "gzip"));
            GunzipRequests.writeTrailersOnly(writer, streamId, flowControl, Status.UNIMPLEMENTED.withDescription(
                    "grpc-encoding " + encoding + " is not supported; use gzip or none"), headers);
            state = Http2StreamState.HALF_CLOSED_LOCAL;
        }

        @Override
        public Http2StreamState streamState() {
            return state;
        }

        @Override
        public void rstStream(Http2RstStream rstStream) {
        }

        @Override
        public void windowUpdate(Http2WindowUpdate update) {
        }

        @Override
        public void data(Http2FrameHeader header, BufferData data) {
        }
    }
}
