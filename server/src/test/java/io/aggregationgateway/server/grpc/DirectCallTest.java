package io.aggregationgateway.server.grpc;

import io.aggregationgateway.proto.v1.PushResponse;
import io.grpc.Metadata;
import io.grpc.protobuf.ProtoUtils;
import io.helidon.grpc.core.GrpcHeadersUtil;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** What {@link DirectCall} makes of a call's headers and of its reply. */
class DirectCallTest {
    @Test
    void headersBecomeTheMetadataHelidonsConversionGives() {
        WritableHeaders<?> headers = WritableHeaders.create();
        headers.add(HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/grpc")); // Helidon names it Content-Type
        headers.add(HeaderValues.create("te", "trailers"));
        headers.add(HeaderValues.create(HeaderNames.USER_AGENT, "grpc-java-netty/1.73.0"));
        headers.add(HeaderValues.create("grpc-accept-encoding", "gzip"));
        headers.add(HeaderValues.create("authorization", "Basic cHVzaGVyOnNlY3JldA=="));
        headers.add(HeaderValues.create("x-forwarded-for", "10.0.0.1", "10.0.0.2")); // two values
        headers.add(HeaderValues.create("x-custom", "one"));
        headers.add(HeaderValues.create("trace-bin", Base64.getEncoder().encodeToString(new byte[]{0, 1, (byte) 0xFF})));

        Metadata ours = DirectCall.metadata(headers);
        Metadata helidons = GrpcHeadersUtil.toMetadata(Http2Headers.create(headers));

        assertEquals(entries(helidons), entries(ours));
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), values(ours, "x-forwarded-for"));
        assertArrayEquals(new byte[]{0, 1, (byte) 0xFF}, ours.get(Metadata.Key.of("trace-bin", Metadata.BINARY_BYTE_MARSHALLER)));
    }

    @Test
    void aReplyIsFramedAsOneUncompressedMessage() {
        var marshaller = ProtoUtils.marshaller(PushResponse.getDefaultInstance());
        PushResponse reply = PushResponse.newBuilder().setFamilies(3).setSeries(300).build();
        byte[] body = reply.toByteArray();

        byte[] framed = DirectCall.framed(marshaller.stream(reply));

        assertEquals(5 + body.length, framed.length);
        assertArrayEquals(new byte[]{0, 0, 0, 0, (byte) body.length}, java.util.Arrays.copyOf(framed, 5));
        assertArrayEquals(body, java.util.Arrays.copyOfRange(framed, 5, framed.length));
        // a reply of all defaults has no bytes: the prefix alone, length 0
        assertArrayEquals(new byte[5], DirectCall.framed(marshaller.stream(PushResponse.getDefaultInstance())));
        // a stream that does not know its length
        assertArrayEquals(framed, DirectCall.framed(new java.io.ByteArrayInputStream(body)));
    }

    @Test
    void thePushMarshallerTakesADirectCallsMessageWithoutACopy() {
        byte[] message = "a push".getBytes(StandardCharsets.US_ASCII);
        assertSame(message, PushService.EncodedMessage.INSTANCE.parse(new DirectCall.MessageStream(message)));

        DirectCall.MessageStream partlyRead = new DirectCall.MessageStream(message);
        partlyRead.read();
        assertArrayEquals(" push".getBytes(StandardCharsets.US_ASCII), PushService.EncodedMessage.INSTANCE.parse(partlyRead));
    }

    private static List<String> entries(Metadata metadata) {
        List<String> entries = new ArrayList<>();
        for (String name : metadata.keys()) {
            if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                for (byte[] value : metadata.getAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER))) {
                    entries.add(name + "=" + Base64.getEncoder().encodeToString(value));
                }
            } else {
                for (String value : values(metadata, name)) {
                    entries.add(name + "=" + value);
                }
            }
        }
        return entries;
    }

    private static List<String> values(Metadata metadata, String name) {
        List<String> values = new ArrayList<>();
        metadata.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)).forEach(values::add);
        return values;
    }
}
