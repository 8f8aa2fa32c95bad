package io.aggregationgateway.server.grpc;

import io.grpc.Context;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.PeerInfo;
import io.helidon.grpc.core.GrpcHeadersUtil;
import io.helidon.http.Header;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.http.http2.StreamFlowControl;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.grpc.GrpcConnectionContext;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One call of the gateway's push service, run by the gateway instead of Helidon's gRPC handler: the
 * same grpc-java call handler (the service's methods behind the same interceptors, the guard first),
 * with the call's headers as {@link Metadata} and its connection in the gRPC context, as Helidon
 * gives them; messages come checked and decompressed from {@link RequestMessages}, which wraps it.
 * Every callback of the call's listener runs in one context that also holds the call's origin
 * ({@link CallOrigin#context}): as Helidon's handler with the {@link CallOrigin} interceptor gave it,
 * without a second context per call and one attach and detach around each callback.
 *
 * <p>What it leaves out is what a push paid for and never used: Helidon 4.4.0's handler allocates
 * two 16 KiB buffers per call, creates a Helidon context per interceptor and one more for its own
 * interceptor, and builds and HPACK-encodes the same reply headers each time. Here a reply without
 * metadata goes out as header blocks encoded once ({@code :status 200}, {@code content-type},
 * {@code grpc-encoding identity}; {@code grpc-status 0}), as literals that do not touch the HPACK
 * dynamic table, so they fit whatever state the connection's table is in. Any other status ends the
 * call through {@link CallWriter#endWith}, as before.
 *
 * <p>Runs on the stream's thread, except {@link #rstStream}, which {@link RequestMessages} passes on
 * only once {@link #init} has run.
 */
final class DirectCall<Q, R> implements SubProtocolHandler {
    private static final Logger LOGGER = Logger.getLogger(DirectCall.class.getName());
    private static final int HEADER = 5;
    /** {@code :status 200}, {@code content-type: application/grpc}, {@code grpc-encoding: identity}. */
    static final byte[] REPLY_HEADERS = block(new byte[]{(byte) 0x88, 0x0F, 0x10}, "application/grpc",
            new byte[]{0x00}, "grpc-encoding", "identity");
    /** {@code grpc-status: 0}. */
    static final byte[] OK_TRAILERS = block(new byte[]{0x00}, "grpc-status", "0");
    /**
     * Keys of the headers gRPC clients send with every call (grpc-java, grpc-go, C-core, grpc-js),
     * and {@code content-length}, which some HTTP/2 clients add.
     */
    private static final Map<String, Metadata.Key<String>> COMMON_KEYS = commonKeys("content-type", "te",
            "user-agent", "grpc-accept-encoding", "grpc-encoding", "grpc-timeout", "accept-encoding", "authorization",
            "content-length");

    private final MethodDescriptor<Q, R> method;
    private final ServerCallHandler<Q, R> handler;
    private final Http2Headers headers;
    private final ConnectionContext connection;
    private final CallWriter writer;
    private final int streamId;
    private final StreamFlowControl flowControl;
    /** The context of every callback of the call's listener. */
    private final Context context;

    private volatile Http2StreamState state = Http2StreamState.OPEN;
    private volatile boolean cancelled;
    private ServerCall.Listener<Q> listener;
    private boolean closed;
    private boolean headersSent;
    private int requested;
    private boolean delivering;
    private boolean halfClosed;
    private boolean halfCloseDelivered;
    private final ArrayDeque<Q> pending = new ArrayDeque<>(1);

    // the message being read
    private final byte[] prefix = new byte[HEADER];
    private int prefixFill;
    private byte[] message;
    private int messageFill;

    DirectCall(MethodDescriptor<Q, R> method, ServerCallHandler<Q, R> handler, Http2Headers headers,
               ConnectionContext connection, CallWriter writer, int streamId, StreamFlowControl flowControl) {
        this.method = method;
        this.handler = handler;
        this.headers = headers;
        this.connection = connection;
        this.writer = writer;
        this.streamId = streamId;
        this.flowControl = flowControl;
        this.context = CallOrigin.context(new Connection(connection), method.getFullMethodName());
    }

    @Override
    public void init() {
        Metadata metadata = metadata(headers.httpHeaders());
        Context previous = context.attach();
        try {
            listener = handler.startCall(new Call(), metadata);
            if (!closed) {
                listener.onReady();
            } else if (!cancelled) {
                listener.onComplete(); // the guard refused the call while it started
            }
        } finally {
            context.detach(previous);
        }
    }

    @Override
    public Http2StreamState streamState() {
        return state;
    }

    @Override
    public void rstStream(Http2RstStream rstStream) {
        cancelled = true;
        state = Http2StreamState.CLOSED;
        Context previous = context.attach();
        try {
            listener.onCancel();
        } finally {
            context.detach(previous);
        }
    }

    @Override
    public void windowUpdate(Http2WindowUpdate update) {
    }

    @Override
    public void data(Http2FrameHeader frameHeader, BufferData data) {
        if (closed || cancelled) {
            return;
        }
        while (data.available() > 0) {
            if (prefixFill < HEADER) {
                prefixFill += data.read(prefix, prefixFill, HEADER - prefixFill);
                if (prefixFill < HEADER) {
                    break;
                }
                // RequestMessages checked the flag (0: it decompresses gzip calls) and the length
                message = new byte[(prefix[1] & 0xFF) << 24 | (prefix[2] & 0xFF) << 16 | (prefix[3] & 0xFF) << 8
                        | (prefix[4] & 0xFF)];
                messageFill = 0;
            }
            messageFill += data.read(message, messageFill, Math.min(data.available(), message.length - messageFill));
            if (messageFill == message.length) {
                byte[] complete = message;
                message = null;
                prefixFill = 0;
                pending.add(method.parseRequest(new MessageStream(complete)));
            }
        }
        if (frameHeader.flags(Http2FrameTypes.DATA).endOfStream()) {
            halfClosed = true;
            state = state == Http2StreamState.HALF_CLOSED_LOCAL ? Http2StreamState.CLOSED : Http2StreamState.HALF_CLOSED_REMOTE;
        }
        deliver();
    }

    /** Hands the listener the messages it asked for, then the half-close once they are all out. */
    private void deliver() {
        if (delivering) {
            return; // a listener asking for more from inside onMessage: this loop goes on
        }
        delivering = true;
        Context previous = context.attach();
        try {
            while (!closed && !cancelled) {
                if (requested > 0 && !pending.isEmpty()) {
                    requested--;
                    listener.onMessage(pending.poll());
                } else if (halfClosed && pending.isEmpty() && !halfCloseDelivered) {
                    halfCloseDelivered = true;
                    listener.onHalfClose();
                } else {
                    break;
                }
            }
        } catch (RuntimeException e) {
            LOGGER.log(Level.WARNING, "gRPC call " + method.getFullMethodName() + " failed", e);
            if (!closed) {
                close(Status.UNKNOWN.withDescription("the call failed on the server"), new Metadata());
            }
        } finally {
            context.detach(previous);
            delivering = false;
        }
    }

    private void close(Status status, Metadata trailers) {
        closed = true;
        if (!cancelled) {
            if (status.isOk() && trailers.keys().isEmpty() && headersSent) {
                writer.writeEncoded(OK_TRAILERS, streamId, true);
            } else {
                WritableHeaders<?> extra = WritableHeaders.create();
                GrpcHeadersUtil.updateHeaders(extra, trailers);
                Header[] headers = new Header[extra.size()];
                int i = 0;
                for (Header header : extra) {
                    headers[i++] = header;
                }
                writer.endWith(status, headers);
            }
        }
        state = state == Http2StreamState.HALF_CLOSED_REMOTE || state == Http2StreamState.CLOSED
                ? Http2StreamState.CLOSED : Http2StreamState.HALF_CLOSED_LOCAL;
        if (!cancelled && listener != null) { // null: closed while starting; init tells the listener
            Context previous = context.attach(); // the service may close the call from a thread of its own
            try {
                listener.onComplete();
            } finally {
                context.detach(previous);
            }
        }
    }

    /** The call as the service's handler and interceptors see it. */
    private final class Call extends ServerCall<Q, R> {
        @Override
        public void request(int numMessages) {
            requested = (int) Math.min(Integer.MAX_VALUE, (long) requested + numMessages);
            if (listener != null) {
                deliver();
            }
        }

        @Override
        public void sendHeaders(Metadata replyHeaders) {
            if (cancelled || closed) {
                return;
            }
            if (replyHeaders.keys().isEmpty()) {
                writer.writeEncoded(REPLY_HEADERS, streamId, false);
            } else {
                WritableHeaders<?> writable = WritableHeaders.create();
                GrpcHeadersUtil.updateHeaders(writable, replyHeaders);
                writable.set(CallWriter.GRPC_CONTENT_TYPE);
                writable.set(CallWriter.GRPC_ENCODING_IDENTITY);
                Http2Headers http2 = Http2Headers.create(writable);
                http2.status(io.helidon.http.Status.OK_200);
                writer.writeHeaders(http2, streamId, Http2Flag.HeaderFlags.create(Http2Flag.END_OF_HEADERS),
                        flowControl.outbound());
            }
            headersSent = true;
        }

        @Override
        public void sendMessage(R reply) {
            if (cancelled || closed) {
                return;
            }
            if (!headersSent) {
                sendHeaders(new Metadata());
            }
            byte[] framed = framed(method.streamResponse(reply));
            Http2FrameHeader header = Http2FrameHeader.create(framed.length, Http2FrameTypes.DATA,
                    Http2Flag.DataFlags.create(0), streamId);
            writer.writeData(new Http2FrameData(header, BufferData.create(framed)), flowControl.outbound());
        }

        @Override
        public void close(Status status, Metadata trailers) {
            if (!closed) {
                DirectCall.this.close(status, trailers);
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return method;
        }
    }

    /**
     * The call's headers as grpc-java's {@link Metadata}, the same entries as Helidon 4.4.0's
     * {@code GrpcHeadersUtil.toMetadata} gives (every header but the pseudo-headers; a {@code -bin}
     * header's first value base64-decoded), with the keys of the headers clients send on every
     * call made once: {@code Metadata.Key.of} checks and lower-cases its name each time, and
     * Helidon's conversion also copied each header's values into a new list.
     */
    static Metadata metadata(Headers headers) {
        Metadata metadata = new Metadata();
        for (Header header : headers) {
            // Helidon names the headers it knows as they are usually written (Content-Type); HTTP/2
            // sends them in lower case, and Metadata.Key.of lower-cases them too
            String name = header.headerName().lowerCase();
            if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                metadata.put(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER),
                        Base64.getDecoder().decode(header.valueBytes()));
                continue;
            }
            Metadata.Key<String> key = COMMON_KEYS.get(name);
            if (key == null) {
                key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
            }
            if (header.valueCount() == 1) {
                metadata.put(key, header.get());
            } else {
                for (String value : header.allValues()) {
                    metadata.put(key, value);
                }
            }
        }
        return metadata;
    }

    private static Map<String, Metadata.Key<String>> commonKeys(String... names) {
        Map<String, Metadata.Key<String>> keys = new HashMap<>();
        for (String name : names) {
            keys.put(name, Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
        }
        return Map.copyOf(keys);
    }

    /**
     * A reply as one gRPC message: the uncompressed flag, its length, its bytes, in one array the
     * marshaller's stream writes into. grpc-java's protobuf marshaller gives a stream that knows its
     * length and serializes straight into an array of at least that size; reading it with
     * {@code readAllBytes} instead allocated and zeroed a 16 KiB buffer per call for a reply of a
     * few bytes, and serialized in pieces.
     */
    static byte[] framed(InputStream reply) {
        try (InputStream in = reply) {
            if (in instanceof KnownLength) {
                int length = in.available();
                byte[] framed = withPrefix(new byte[HEADER + length], length);
                if (in.readNBytes(framed, HEADER, length) == length && in.read() == -1) {
                    return framed;
                }
                throw new IOException("reply stream did not hold the " + length + " bytes it announced");
            }
            byte[] bytes = in.readAllBytes();
            byte[] framed = withPrefix(new byte[HEADER + bytes.length], bytes.length);
            System.arraycopy(bytes, 0, framed, HEADER, bytes.length);
            return framed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code framed} with the prefix of an uncompressed message of {@code length} bytes in its first five. */
    private static byte[] withPrefix(byte[] framed, int length) {
        framed[1] = (byte) (length >>> 24);
        framed[2] = (byte) (length >>> 16);
        framed[3] = (byte) (length >>> 8);
        framed[4] = (byte) length;
        return framed;
    }

    /**
     * A message's bytes, with their length known, as Helidon hands messages to the marshaller; the
     * push service's marshaller, which wants the bytes themselves, takes the array as it is.
     */
    static final class MessageStream extends ByteArrayInputStream implements KnownLength {
        MessageStream(byte[] bytes) {
            super(bytes);
        }

        /** The whole message, if nothing of it was read yet; else null. */
        byte[] unread() {
            return pos == 0 && count == buf.length ? buf : null;
        }
    }

    /** The call's connection, as Helidon puts it in the gRPC context ({@code ServerContextKeys.CONNECTION_CONTEXT}). */
    private record Connection(ConnectionContext connection) implements GrpcConnectionContext {
        @Override
        public String serverSocketId() {
            return connection.socketId();
        }

        @Override
        public String connectionSocketId() {
            return connection.childSocketId();
        }

        @Override
        public PeerInfo remotePeer() {
            return connection.remotePeer();
        }

        @Override
        public PeerInfo localPeer() {
            return connection.localPeer();
        }

        @Override
        public boolean isSecure() {
            return connection.isSecure();
        }

        @Override
        public Optional<ProxyProtocolData> proxyProtocolData() {
            return connection.proxyProtocolData();
        }
    }

    /** An HPACK block of the given prefix bytes and strings (each a length octet, no Huffman, then its bytes). */
    private static byte[] block(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof byte[] bytes) {
                out.writeBytes(bytes);
            } else {
                byte[] text = ((String) part).getBytes(StandardCharsets.US_ASCII);
                out.write(text.length); // all below 127: one octet, Huffman bit clear
                out.writeBytes(text);
            }
        }
        return out.toByteArray();
    }
}
