package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2HuffmanDecoder;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * An HTTP/2 client that writes exactly the frames a test gives it (prior knowledge, no TLS), and
 * reads the server's answers back, decoding the server's header blocks with Helidon's decoder.
 * Reads time out, so a server that never answers fails the test.
 */
final class RawHttp2Client implements AutoCloseable {
    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int CONTINUATION = 0x9;
    static final int END_STREAM = 0x1;
    static final int END_HEADERS = 0x4;

    private static final HeaderName GRPC_STATUS = HeaderNames.create("grpc-status");

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Http2Headers.DynamicTable serverTable = Http2Headers.DynamicTable.create(4096);
    private final Http2HuffmanDecoder huffman = Http2HuffmanDecoder.create();
    private ByteArrayOutputStream continued; // a server block still waiting for its CONTINUATION

    /** What the server answered on one stream. */
    record Response(Http2Headers headers, byte[] data, Http2Headers trailers) {
        /** {@code grpc-status} from the trailers, or the headers of a trailers-only answer. */
        String grpcStatus() {
            Http2Headers last = trailers != null ? trailers : headers;
            return last.httpHeaders().contains(GRPC_STATUS) ? last.httpHeaders().get(GRPC_STATUS).get() : null;
        }

        String grpcMessage() {
            Http2Headers last = trailers != null ? trailers : headers;
            return last.httpHeaders().contains(GrpcStatusMessage.NAME) ? last.httpHeaders().get(GrpcStatusMessage.NAME).get() : null;
        }
    }

    RawHttp2Client(int port) throws IOException {
        this(port, Duration.ofSeconds(15));
    }

    /** @param readTimeout how long a read waits for the server before it fails with {@code SocketTimeoutException} */
    RawHttp2Client(int port, Duration readTimeout) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) readTimeout.toMillis());
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        write(encoded(type, flags, streamId, payload));
    }

    /** Sends {@code frames} (from {@link #encoded}) in one write: the server has them all before it can answer any. */
    void write(byte[] frames) throws IOException {
        out.write(frames);
        out.flush();
    }

    /** One frame's bytes: the 9-byte header, then the payload. */
    static byte[] encoded(int type, int flags, int streamId, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(9 + payload.length);
        frame.writeBytes(new byte[]{(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8),
                (byte) streamId});
        frame.writeBytes(payload);
        return frame.toByteArray();
    }

    /** A gRPC request: the header block in one HEADERS frame, then {@code body} in one DATA frame that ends the stream. */
    void call(int streamId, byte[] headerBlock, byte[] body) throws IOException {
        frame(HEADERS, END_HEADERS, streamId, headerBlock);
        frame(DATA, END_STREAM, streamId, body);
    }

    /** A gRPC message frame: compressed flag, 4-byte length, the message. */
    static byte[] grpcMessage(int flag, byte[] message) {
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        framed.write(flag);
        framed.writeBytes(new byte[]{(byte) (message.length >>> 24), (byte) (message.length >>> 16),
                (byte) (message.length >>> 8), (byte) message.length});
        framed.writeBytes(message);
        return framed.toByteArray();
    }

    /** The parameters of the server's SETTINGS frame (identifier to value); call it before anything else is read. */
    java.util.Map<Integer, Long> serverSettings() throws IOException {
        while (true) {
            int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            in.readInt();
            byte[] payload = in.readNBytes(length);
            if (type == SETTINGS && (flags & 0x1) == 0) {
                frame(SETTINGS, 0x1, 0, new byte[0]);
                java.util.Map<Integer, Long> settings = new java.util.TreeMap<>();
                for (int i = 0; i + 6 <= payload.length; i += 6) {
                    settings.put((payload[i] & 0xFF) << 8 | (payload[i + 1] & 0xFF), ((payload[i + 2] & 0xFFL) << 24)
                            | ((payload[i + 3] & 0xFF) << 16) | ((payload[i + 4] & 0xFF) << 8) | (payload[i + 5] & 0xFF));
                }
                return settings;
            }
        }
    }

    /** Reads frames until the server ends {@code streamId}; fails on GOAWAY or RST_STREAM. */
    Response response(int streamId) throws IOException {
        return read(streamId, Until.END);
    }

    /** Reads frames until the server's first header block on {@code streamId}, and returns it. */
    Http2Headers headers(int streamId) throws IOException {
        return read(streamId, Until.HEADERS).headers();
    }

    /** Reads frames until the server's first DATA frame on {@code streamId}; its bytes and the headers before it. */
    Response firstData(int streamId) throws IOException {
        return read(streamId, Until.DATA);
    }

    private enum Until { HEADERS, DATA, END }

    private Response read(int streamId, Until until) throws IOException {
        Http2Headers headers = null;
        Http2Headers trailers = null;
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7FFFFFFF;
            byte[] payload = in.readNBytes(length);
            switch (type) {
                case SETTINGS -> {
                    if ((flags & 0x1) == 0) {
                        frame(SETTINGS, 0x1, 0, new byte[0]);
                    }
                }
                case PING -> frame(PING, 0x1, 0, payload);
                case GOAWAY -> throw new AssertionError("GOAWAY, error code " + ((payload[4] & 0xFF) << 24 | (payload[5] & 0xFF) << 16
                        | (payload[6] & 0xFF) << 8 | (payload[7] & 0xFF)) + ": "
                        + new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8));
                case RST_STREAM -> {
                    if (stream == streamId) {
                        throw new AssertionError("RST_STREAM on stream " + streamId);
                    }
                }
                case HEADERS, CONTINUATION -> {
                    if (continued == null) {
                        continued = new ByteArrayOutputStream();
                    }
                    continued.writeBytes(payload);
                    if ((flags & END_HEADERS) == 0) {
                        continue;
                    }
                    Http2Headers decoded = decoded(continued.toByteArray()); // every block, in order: the table depends on it
                    continued = null;
                    if (stream == streamId) {
                        if (headers == null) {
                            headers = decoded;
                            if (until == Until.HEADERS) {
                                return new Response(headers, data.toByteArray(), null);
                            }
                        } else {
                            trailers = decoded;
                        }
                    }
                }
                case DATA -> {
                    if (stream == streamId) {
                        data.writeBytes(payload);
                        if (until == Until.DATA) {
                            return new Response(headers, data.toByteArray(), null);
                        }
                    }
                }
                default -> {
                }
            }
            if (stream == streamId && (type == HEADERS || type == DATA) && (flags & END_STREAM) != 0) {
                return new Response(headers, data.toByteArray(), trailers);
            }
        }
    }

    /** The message of a reply's DATA (one uncompressed gRPC message). */
    static byte[] replyMessage(Response response) {
        return Arrays.copyOfRange(response.data(), 5, response.data().length);
    }

    private Http2Headers decoded(byte[] block) {
        Http2FrameHeader header = Http2FrameHeader.create(block.length, Http2FrameTypes.HEADERS,
                Http2Flag.HeaderFlags.create(Http2Flag.END_OF_HEADERS), 1);
        return Http2Headers.create(null, serverTable, huffman, new Http2FrameData(header, BufferData.create(block)));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
