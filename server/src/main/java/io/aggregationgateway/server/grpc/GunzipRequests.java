package io.aggregationgateway.server.grpc;

import io.aggregationgateway.server.ingest.BoundedRead;
import io.aggregationgateway.server.model.RejectionReason;
import io.grpc.Status;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2StreamWriter;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.http.http2.StreamFlowControl;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * Decompresses the messages of a {@code grpc-encoding: gzip} call before Helidon's gRPC handler
 * sees them, so that handler gets plain messages (compressed flag 0).
 *
 * <p>Helidon 4.4.0 cannot read gzip-compressed messages itself (seen on JDK 25): its message
 * stream throws {@code ArrayIndexOutOfBoundsException} from {@code read()} at its end instead of
 * returning -1, and {@code GZIPInputStream} reads on past the gzip trailer to look for a further
 * member; the call is then cancelled without a status and the client waits for its deadline. Decompressing here also bounds what a
 * small compressed message may expand to.
 *
 * <p>Runs on the stream's thread, like the handler it wraps: no locking.
 */
final class GunzipRequests implements SubProtocolHandler {
    private static final int HEADER = 5; // compressed flag, 4-byte big-endian length

    private final SubProtocolHandler delegate;
    private final Http2StreamWriter writer;
    private final int streamId;
    private final StreamFlowControl flowControl;
    private final int maxMessageBytes;
    private final PushService service;

    private final byte[] header = new byte[HEADER];
    private int headerFill;
    private byte[] message;
    private int messageFill;
    /** Set once this wrapper has ended the call itself; frames after that are dropped. */
    private Http2StreamState ended;

    GunzipRequests(SubProtocolHandler delegate, Http2StreamWriter writer, int streamId, StreamFlowControl flowControl,
                   int maxMessageBytes, PushService service) {
        this.delegate = delegate;
        this.writer = writer;
        this.streamId = streamId;
        this.flowControl = flowControl;
        this.maxMessageBytes = maxMessageBytes;
        this.service = service;
    }

    @Override
    public void init() {
        delegate.init();
    }

    @Override
    public Http2StreamState streamState() {
        return ended != null ? ended : delegate.streamState();
    }

    @Override
    public void rstStream(Http2RstStream rstStream) {
        if (ended == null) {
            delegate.rstStream(rstStream);
        }
    }

    @Override
    public void windowUpdate(Http2WindowUpdate update) {
        delegate.windowUpdate(update);
    }

    @Override
    public void data(Http2FrameHeader frameHeader, BufferData data) {
        if (ended != null) {
            return;
        }
        BufferData plain = BufferData.growing(Math.max(64, data.available() + HEADER));
        while (data.available() > 0) {
            if (headerFill < HEADER) {
                headerFill += data.read(header, headerFill, HEADER - headerFill);
                if (headerFill < HEADER) {
                    break; // the rest of the message header comes in the next frame
                }
                long length = ((header[1] & 0xFFL) << 24) | ((header[2] & 0xFF) << 16) | ((header[3] & 0xFF) << 8)
                        | (header[4] & 0xFF);
                if (length > maxMessageBytes) {
                    end(plain, service.refuse(RejectionReason.TOO_LARGE, (header[0] == 1 ? "compressed " : "")
                            + "request message of " + length + " bytes exceeds the maximum gRPC message size of "
                            + maxMessageBytes + " bytes", length));
                    return;
                }
                message = new byte[(int) length];
                messageFill = 0;
            }
            messageFill += data.read(message, messageFill, Math.min(data.available(), message.length - messageFill));
            if (messageFill < message.length) {
                break;
            }
            byte[] bytes = message;
            if (header[0] == 1) {
                try {
                    bytes = gunzip(message);
                } catch (IOException e) {
                    end(plain, service.refuse(RejectionReason.MALFORMED,
                            "request message is not valid gzip: " + e.getMessage(), message.length));
                    return;
                }
                if (bytes == null) {
                    end(plain, service.refuse(RejectionReason.TOO_LARGE, "request message exceeds the maximum gRPC "
                            + "message size of " + maxMessageBytes + " bytes after gzip decoding", maxMessageBytes + 1L));
                    return;
                }
            }
            plain.write(0);
            plain.writeUnsignedInt32(bytes.length);
            plain.write(bytes);
            headerFill = 0;
            message = null;
        }
        // the frame header carries END_STREAM, which half-closes the call in the delegate
        delegate.data(frameHeader, plain);
    }

    /** The decompressed message, or null once it exceeds {@code maxMessageBytes}. */
    private byte[] gunzip(byte[] compressed) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)) {
            return BoundedRead.atMost(in, maxMessageBytes, 4 * compressed.length);
        }
    }

    /**
     * Ends the call with a status, as a trailers-only response, after handing the delegate the
     * messages before the refused one (a stream applies those). If one of them already ended the
     * call, the delegate has answered. Otherwise it is told the call was cancelled, so it never
     * answers: it has sent nothing yet, since the gateway's replies wait for the client's last message.
     */
    private void end(BufferData before, Status status) {
        if (before.available() > 0) {
            delegate.data(Http2FrameHeader.create(before.available(), Http2FrameTypes.DATA, Http2Flag.DataFlags.create(0),
                    streamId), before);
        }
        Http2StreamState state = delegate.streamState();
        if (state != Http2StreamState.HALF_CLOSED_LOCAL && state != Http2StreamState.CLOSED) {
            delegate.rstStream(new Http2RstStream(Http2ErrorCode.CANCEL));
            writeTrailersOnly(writer, streamId, flowControl, status, WritableHeaders.create());
        }
        ended = Http2StreamState.HALF_CLOSED_LOCAL;
    }

    /** Answers a call with only a status (HEADERS with END_STREAM), before or instead of any reply. */
    static void writeTrailersOnly(Http2StreamWriter writer, int streamId, StreamFlowControl flowControl, Status status,
                                  WritableHeaders<?> trailers) {
        trailers.set(HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/grpc"));
        trailers.set(HeaderValues.create("grpc-status", String.valueOf(status.getCode().value())));
        if (status.getDescription() != null) {
            trailers.set(HeaderValues.create("grpc-message", percentEncoded(status.getDescription())));
        }
        Http2Headers http2 = Http2Headers.create(trailers);
        http2.status(io.helidon.http.Status.OK_200);
        writer.writeHeaders(http2, streamId,
                Http2Flag.HeaderFlags.create(Http2Flag.END_OF_HEADERS | Http2Flag.END_OF_STREAM), flowControl.outbound());
    }

    /** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2: "Percent-Encoded"). */
    static String percentEncoded(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (b >= ' ' && b <= '~' && b != '%') {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        return out.toString();
    }
}
