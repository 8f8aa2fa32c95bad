package io.aggregationgateway.server.grpc;

import io.grpc.Status;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.FlowControl;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2StreamWriter;

/**
 * What one gRPC call writes to its HTTP/2 stream, Helidon's gRPC handler and the gateway alike:
 * every {@code grpc-message} goes out as {@link GrpcStatusMessage} words it (Helidon writes the
 * description raw and indexed), and the gateway can end the call with a status of its own, as
 * trailers-only or after the headers the handler sent.
 */
final class CallWriter implements Http2StreamWriter {
    static final Header GRPC_CONTENT_TYPE = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/grpc");
    static final Header GRPC_ENCODING_IDENTITY = HeaderValues.createCached("grpc-encoding", "identity");

    private final Http2StreamWriter stream;
    private final int streamId;
    private final FlowControl.Outbound flowControl;
    /** Set once response headers went out: a status then goes in trailers without {@code :status}. */
    private volatile boolean headersSent;

    CallWriter(Http2StreamWriter stream, int streamId, FlowControl.Outbound flowControl) {
        this.stream = stream;
        this.streamId = streamId;
        this.flowControl = flowControl;
    }

    @Override
    public void write(Http2FrameData frame) {
        stream.write(frame);
    }

    @Override
    public void writeData(Http2FrameData frame, FlowControl.Outbound flowControl) {
        stream.writeData(frame, flowControl);
    }

    @Override
    public int writeHeaders(Http2Headers headers, int streamId, Http2Flag.HeaderFlags flags, FlowControl.Outbound flowControl) {
        headersSent = true;
        return stream.writeHeaders(withEncodedMessage(headers), streamId, flags, flowControl);
    }

    @Override
    public int writeHeaders(Http2Headers headers, int streamId, Http2Flag.HeaderFlags flags, Http2FrameData dataFrame,
                            FlowControl.Outbound flowControl) {
        headersSent = true;
        return stream.writeHeaders(withEncodedMessage(headers), streamId, flags, dataFrame, flowControl);
    }

    /**
     * Writes a header block encoded beforehand, in one HEADERS frame. It must leave the HPACK dynamic
     * table as it is (indexed static entries, literals without indexing): Helidon's encoder does not
     * see it.
     */
    void writeEncoded(byte[] block, int streamId, boolean endOfStream) {
        headersSent = true;
        int flags = Http2Flag.END_OF_HEADERS | (endOfStream ? Http2Flag.END_OF_STREAM : 0);
        stream.write(new Http2FrameData(Http2FrameHeader.create(block.length, Http2FrameTypes.HEADERS,
                Http2Flag.HeaderFlags.create(flags), streamId), BufferData.create(block)));
    }

    /**
     * Ends the call with {@code status} (HEADERS with END_STREAM): trailers-only if nothing was sent
     * yet, else trailers after what the handler sent.
     *
     * @param extra further headers, e.g. {@code grpc-accept-encoding}
     */
    void endWith(Status status, Header... extra) {
        WritableHeaders<?> trailers = WritableHeaders.create();
        boolean trailersOnly = !headersSent;
        if (trailersOnly) {
            trailers.set(GRPC_CONTENT_TYPE);
        }
        for (Header header : extra) {
            trailers.set(header);
        }
        trailers.set(HeaderValues.create("grpc-status", String.valueOf(status.getCode().value())));
        if (status.getDescription() != null) {
            trailers.set(GrpcStatusMessage.header(status.getDescription()));
        }
        Http2Headers http2 = Http2Headers.create(trailers);
        if (trailersOnly) {
            http2.status(io.helidon.http.Status.OK_200);
        }
        headersSent = true;
        stream.writeHeaders(http2, streamId, Http2Flag.HeaderFlags.create(Http2Flag.END_OF_HEADERS | Http2Flag.END_OF_STREAM),
                flowControl);
    }

    /** Helidon's headers with a raw {@code grpc-message} replaced by its encoded, unindexed form. */
    private static Http2Headers withEncodedMessage(Http2Headers headers) {
        if (!headers.httpHeaders().contains(GrpcStatusMessage.NAME)) {
            return headers;
        }
        WritableHeaders<?> copy = WritableHeaders.create();
        for (Header header : headers.httpHeaders()) {
            copy.add(header.headerName().equals(GrpcStatusMessage.NAME) ? GrpcStatusMessage.header(header.get()) : header);
        }
        Http2Headers encoded = Http2Headers.create(copy);
        if (headers.status() != null) {
            encoded.status(headers.status());
        }
        return encoded;
    }
}
