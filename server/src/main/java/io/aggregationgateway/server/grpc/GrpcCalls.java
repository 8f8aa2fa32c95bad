package io.aggregationgateway.server.grpc;

import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
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
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;
import io.helidon.webserver.http2.spi.SubProtocolResult;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Every gRPC call on the gateway's port: the push service's calls as {@link DirectCall}s, the others
 * (health, reflection) in Helidon's gRPC handler; all with uncompressed replies, request messages
 * checked and gzip ones decompressed ({@link RequestMessages}), and status messages encoded and
 * bounded ({@link CallWriter}); a push's answer goes out in one socket write ({@link CorkingDataWriter}).
 *
 * <p>Helidon 4.4's gRPC handler compresses every reply with the first encoding the client lists in
 * {@code grpc-accept-encoding}, and grpc-java lists {@code gzip} by default: each call then sets
 * up a new {@code Deflater} (native zlib state and a cleaner) and a 16 KiB copy buffer to gzip a
 * {@code PushResponse} of a few bytes, about a tenth of a small push's CPU. Its only switch,
 * {@code GrpcConfig.enableCompression(false)}, also makes it ignore {@code grpc-encoding} on
 * requests; and with compression on it fails on gzip-compressed requests anyway.
 *
 * <p>So every call goes to Helidon's gRPC handler with compression off, which answers with
 * {@code grpc-encoding: identity} (the gRPC spec lets a server answer uncompressed whatever the
 * client accepts, and every client reads uncompressed replies); a {@code grpc-encoding: gzip}
 * call gets its messages decompressed on the way in. A call in any other encoding is refused with
 * {@code UNIMPLEMENTED} and {@code grpc-accept-encoding: gzip}, as the gRPC spec asks (Helidon did
 * the same, then logged a {@code NullPointerException} of its own).
 */
final class GrpcCalls implements Http2SubProtocolSelector {
    private static final HeaderName GRPC_ENCODING = HeaderNames.create("grpc-encoding");
    private static final String PUSH_METHODS = "/" + AggregationGatewayGrpc.SERVICE_NAME + "/";

    private final Http2SubProtocolSelector helidon;
    private final PushService service;
    /** The methods run as {@link DirectCall}s, by path ({@code /service/method}). */
    private final Map<String, ServerMethodDefinition<?, ?>> direct;

    /**
     * @param service the gateway's push service, which counts and words refusals of push messages
     *                that are malformed, cannot be decompressed or are too large
     */
    GrpcCalls(GrpcConfig config, PushService service, Map<String, ServerMethodDefinition<?, ?>> direct) {
        this.helidon = GrpcProtocolSelector.create(GrpcConfig.builder().from(config).enableCompression(false).build());
        this.service = service;
        this.direct = Map.copyOf(direct);
    }

    @Override
    public SubProtocolResult subProtocol(ConnectionContext ctx, HttpPrologue prologue, Http2Headers headers,
                                         Http2StreamWriter streamWriter, int streamId, Http2Settings serverSettings,
                                         Http2Settings clientSettings, StreamFlowControl flowControl,
                                         Http2StreamState currentStreamState, Router router) {
        CallWriter writer = new CallWriter(streamWriter, streamId, flowControl.outbound());
        Headers httpHeaders = headers.httpHeaders();
        ServerMethodDefinition<?, ?> method = prologue.method() == Method.POST && httpHeaders.contains(HeaderNames.CONTENT_TYPE)
                && httpHeaders.get(HeaderNames.CONTENT_TYPE).get().startsWith("application/grpc") // as Helidon's selector
                ? direct.get(prologue.uriPath().path()) : null;
        SubProtocolHandler handler;
        if (method != null) {
            handler = directCall(method, headers, ctx, writer, streamId, flowControl);
        } else {
            SubProtocolResult result = helidon.subProtocol(ctx, prologue, headers, writer, streamId, serverSettings,
                    clientSettings, flowControl, currentStreamState, router);
            if (!result.supported()) {
                return result; // not gRPC: routed as HTTP
            }
            handler = result.subProtocol();
        }
        String encoding = httpHeaders.contains(GRPC_ENCODING) ? httpHeaders.get(GRPC_ENCODING).get() : "identity";
        boolean push = prologue.uriPath().path().startsWith(PUSH_METHODS);
        RequestMessages.Refusals refusals = push
                ? service::refuse
                : (reason, message, bytes) -> PushService.status(reason, message);
        // only push answers are corked: a status and a PushResponse of a few bytes, so the one DATA
        // frame held never waits for flow-control window that the held frames themselves would free
        Consumer<Runnable> answer = push && ctx instanceof ConnectionScope connection ? connection::corked : Runnable::run;
        ConnectionCalls calls = ctx instanceof ConnectionScope connection ? connection.calls() : null;
        Consumer<SubProtocolHandler> ended = calls != null ? c -> calls.ended(streamId, c) : c -> { };
        SubProtocolHandler own = switch (encoding) {
            case "identity", "gzip" -> handler;
            default -> new UnsupportedEncoding(writer, encoding);
        };
        RequestMessages call = new RequestMessages(own, writer, streamId, encoding.equals("gzip"),
                service.maxMessageBytes(), refusals, answer, ended);
        if (calls != null) {
            calls.opened(streamId, call);
        }
        return new SubProtocolResult(true, call);
    }

    private static <Q, R> DirectCall<Q, R> directCall(ServerMethodDefinition<Q, R> method, Http2Headers headers,
                                                      ConnectionContext ctx, CallWriter writer, int streamId,
                                                      StreamFlowControl flowControl) {
        return new DirectCall<>(method.getMethodDescriptor(), method.getServerCallHandler(), headers, ctx, writer, streamId,
                flowControl);
    }

    /** Refuses a call whose messages are in an encoding the gateway cannot decode. */
    private static final class UnsupportedEncoding implements SubProtocolHandler {
        private final CallWriter writer;
        private final String encoding;
        private Http2StreamState state = Http2StreamState.OPEN;

        UnsupportedEncoding(CallWriter writer, String encoding) {
            this.writer = writer;
            this.encoding = encoding;
        }

        @Override
        public void init() {
            writer.endWith(Status.UNIMPLEMENTED.withDescription("grpc-encoding " + encoding
                    + " is not supported; use gzip or none"), HeaderValues.create("grpc-accept-encoding", "gzip"));
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
