package io.aggregationgateway.server.grpc;

import io.aggregationgateway.proto.metrics.BucketSpan;
import io.aggregationgateway.proto.metrics.Counter;
import io.aggregationgateway.proto.metrics.Gauge;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.LabelPair;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushRequest;
import io.aggregationgateway.proto.v1.PushResponse;
import io.aggregationgateway.server.support.RunningGateway;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gRPC API through the real server, with grpc-java's client (it keeps status descriptions). */
class PushServiceTest {
    private static final int MAX_MESSAGE = 64 * 1024;
    private static RunningGateway gateway;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        gateway = new RunningGateway("--self-metrics", "false", "--grpc-max-message-bytes", String.valueOf(MAX_MESSAGE));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        gateway.close();
    }

    @BeforeEach
    void empty() {
        gateway.aggregator.reset();
    }

    private static AggregationGatewayGrpc.AggregationGatewayBlockingStub blocking() {
        return AggregationGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static MetricFamily counter(String name, double value, String... labels) {
        Metric.Builder metric = Metric.newBuilder().setCounter(Counter.newBuilder().setValue(value));
        for (int i = 0; i < labels.length; i += 2) {
            metric.addLabel(LabelPair.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
        }
        return MetricFamily.newBuilder().setName(name).setType(MetricType.COUNTER).addMetric(metric).build();
    }

    private static PushRequest request(MetricFamily... families) {
        return PushRequest.newBuilder().putGroupingLabels("job", "grpc").addAllFamilies(java.util.List.of(families)).build();
    }

    private static String scrape() throws Exception {
        return new String(gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics"))).body(), StandardCharsets.UTF_8);
    }

    @Test
    void unaryPushAddsUpAndCounts() throws Exception {
        PushResponse first = blocking().push(request(counter("jobs_total", 2, "kind", "a"), counter("errors_total", 1)));
        assertEquals(2, first.getFamilies());
        assertEquals(2, first.getSeries());
        blocking().push(request(counter("jobs_total", 3, "kind", "a")));
        assertEquals("""
                # TYPE errors_total counter
                errors_total{job="grpc"} 1
                # TYPE jobs_total counter
                jobs_total{job="grpc",kind="a"} 5
                """, scrape());
    }

    @Test
    void invalidPushIsInvalidArgumentWithTheReasonAndChangesNothing() throws Exception {
        blocking().push(request(counter("jobs_total", 1)));
        String before = scrape();
        StatusRuntimeException negative = assertThrows(StatusRuntimeException.class,
                () -> blocking().push(request(counter("jobs_total", 5), counter("bad_total", -1, "x", "y"))));
        assertEquals(Status.Code.INVALID_ARGUMENT, negative.getStatus().getCode());
        assertEquals("family bad_total, series {job=\"grpc\",x=\"y\"}: counter value -1.0 is negative",
                negative.getStatus().getDescription());

        MetricFamily gauge = MetricFamily.newBuilder().setName("jobs_total").setType(MetricType.GAUGE)
                .addMetric(Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(1))).build();
        StatusRuntimeException conflict = assertThrows(StatusRuntimeException.class, () -> blocking().push(request(gauge)));
        assertEquals(Status.Code.INVALID_ARGUMENT, conflict.getStatus().getCode());
        assertTrue(conflict.getStatus().getDescription().contains("pushed as gauge but the gateway holds it as counter"));
        assertEquals(before, scrape());
    }

    @Test
    void descriptionsArriveIntactWhateverTheirCharacters() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> blocking().push(request(counter("bad_total", -1, "x", "bad%41name é ☃"))));
        assertEquals("family bad_total, series {job=\"grpc\",x=\"bad%41name é ☃\"}: counter value -1.0 is negative",
                e.getStatus().getDescription());
    }

    @Test
    void aRefusalNamingAHugeLabelValueIsAnsweredCutAndTheGatewayKeepsServing() {
        // Helidon 4.4.0 alone spun a core for good on each such answer; two took the gateway down
        MetricFamily nan = counter("nan_total", Double.NaN, "v", "a".repeat(4000));
        java.time.Duration limit = java.time.Duration.ofSeconds(30);
        for (int i = 0; i < 3; i++) {
            StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(limit,
                    () -> assertThrows(StatusRuntimeException.class, () -> blocking().push(request(nan))));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            String description = e.getStatus().getDescription();
            assertTrue(description.startsWith("family nan_total, series {job=\"grpc\",v=\"aaaa"), description);
            // the engine already cuts the label value it quotes; GrpcStatusMessageTest covers the cut of longer messages
            assertTrue(description.contains("aaaa...\""), description);
            assertTrue(description.length() <= GrpcStatusMessage.MAX_LENGTH);
        }
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(limit, () -> blocking().push(request(counter("after_total", 1))));
    }

    private static MetricFamily nativeHistogram(Histogram.Builder histogram) {
        return MetricFamily.newBuilder().setName("rt").setType(MetricType.HISTOGRAM)
                .addMetric(Metric.newBuilder().setHistogram(histogram)).build();
    }

    @Test
    void nativeHistogramsAreAcceptedAndAggregated() throws Exception {
        // schema 3: 1 in (1, 2^(1/8)] and 2 in (2^(7/8), 2], both inside schema 0's bucket 1, (1, 2]
        blocking().push(request(nativeHistogram(Histogram.newBuilder().setSampleCount(3).setSampleSum(4).setSchema(3)
                .setZeroThreshold(0x1p-128).setZeroCount(0)
                .addPositiveSpan(BucketSpan.newBuilder().setOffset(1).setLength(1))
                .addPositiveSpan(BucketSpan.newBuilder().setOffset(6).setLength(1))
                .addPositiveDelta(1).addPositiveDelta(1))));
        blocking().push(request(nativeHistogram(Histogram.newBuilder().setSampleCount(4).setSampleSum(6).setSchema(0)
                .setZeroThreshold(0x1p-128).setZeroCount(1)
                .addPositiveSpan(BucketSpan.newBuilder().setOffset(1).setLength(2))
                .addPositiveDelta(2).addPositiveDelta(-1))));
        HttpRequest.Builder protobufScrape = HttpRequest.newBuilder(gateway.uri("/metrics")).header("Accept",
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
        MetricFamily scraped = MetricFamily.parseDelimitedFrom(new java.io.ByteArrayInputStream(
                gateway.send(protobufScrape).body()));
        assertEquals(Histogram.newBuilder().setSampleCount(7).setSampleSum(10).setSchema(0)
                .setZeroThreshold(0x1p-128).setZeroCount(1)
                .addPositiveSpan(BucketSpan.newBuilder().setOffset(1).setLength(2))
                .addPositiveDelta(5).addPositiveDelta(-4).build(), scraped.getMetric(0).getHistogram().toBuilder().clearCreatedTimestamp().build());
        assertTrue(scraped.getMetric(0).getHistogram().hasCreatedTimestamp(), "the series' start");
        assertEquals("# TYPE rt histogram\nrt_sum{job=\"grpc\"} 10\nrt_count{job=\"grpc\"} 7\n", scrape());
    }

    @Test
    void invalidNativeHistogramIsInvalidArgumentNamingFamilySeriesAndReason() throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking().push(request(
                counter("jobs_total", 1),
                nativeHistogram(Histogram.newBuilder().setSampleCount(1).setSchema(3).setZeroThreshold(0x1p-128)
                        .addPositiveSpan(BucketSpan.newBuilder().setOffset(0).setLength(2))
                        .addPositiveDelta(2).addPositiveDelta(-3)))));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("family rt, series {job=\"grpc\"}: native histogram: positive bucket 1 has count -1.0 "
                + "(must be finite and not negative)", e.getStatus().getDescription());
        assertEquals("", scrape());
    }

    @Test
    void oversizeMessageIsResourceExhaustedAndSaysSo() throws Exception {
        MetricFamily.Builder big = MetricFamily.newBuilder().setName("big_total").setType(MetricType.COUNTER);
        for (int i = 0; big.build().getSerializedSize() <= MAX_MESSAGE; i++) {
            big.addMetric(Metric.newBuilder().addLabel(LabelPair.newBuilder().setName("i").setValue("series-" + i))
                    .setCounter(Counter.newBuilder().setValue(1)));
        }
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking().push(request(big.build())));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("exceeds the maximum gRPC message size of " + MAX_MESSAGE),
                e.getStatus().getDescription());
        assertEquals("", scrape());
    }

    @Test
    void streamSumsTheRepliesOfAllMessages() throws Exception {
        Reply reply = new Reply();
        StreamObserver<PushRequest> stream = AggregationGatewayGrpc.newStub(channel).pushStream(reply);
        for (int i = 0; i < 3; i++) {
            stream.onNext(request(counter("streamed_total", 1), counter("other_total", 2, "i", String.valueOf(i))));
        }
        stream.onCompleted();
        PushResponse response = reply.result.get(10, TimeUnit.SECONDS);
        assertEquals(6, response.getFamilies());
        assertEquals(6, response.getSeries());
        assertTrue(scrape().contains("streamed_total{job=\"grpc\"} 3\n"));
    }

    @Test
    void invalidStreamMessageEndsTheCallAndEarlierMessagesStayApplied() throws Exception {
        Reply reply = new Reply();
        StreamObserver<PushRequest> stream = AggregationGatewayGrpc.newStub(channel).pushStream(reply);
        stream.onNext(request(counter("streamed_total", 1)));
        stream.onNext(request(counter("streamed_total", -1)));
        stream.onNext(request(counter("streamed_total", 100)));
        stream.onCompleted();
        Exception e = assertThrows(Exception.class, () -> reply.result.get(10, TimeUnit.SECONDS));
        Status status = Status.fromThrowable(e.getCause());
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
        assertTrue(status.getDescription().contains("counter value -1.0 is negative"), status.getDescription());
        assertEquals("# TYPE streamed_total counter\nstreamed_total{job=\"grpc\"} 1\n", scrape());
    }

    /** The {@code grpc-encoding} header of the replies to calls made through it. */
    private static final class ReplyEncoding implements ClientInterceptor {
        final java.util.List<String> encodings = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onHeaders(Metadata replyHeaders) {
                            encodings.add(String.valueOf(replyHeaders.get(GRPC_ENCODING)));
                            super.onHeaders(replyHeaders);
                        }
                    }, headers);
                }
            };
        }
    }

    private static final Metadata.Key<String> GRPC_ENCODING = Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);

    @Test
    void uncompressedCallsGetUncompressedRepliesThoughTheClientAcceptsGzip() throws Exception {
        // grpc-java sends grpc-accept-encoding: gzip on every call; the gateway answers uncompressed
        // anyway (gzipping a few bytes cost more CPU than the rest of a small push)
        ReplyEncoding encoding = new ReplyEncoding();
        Channel intercepted = ClientInterceptors.intercept(channel, encoding);
        AggregationGatewayGrpc.newBlockingStub(intercepted).withDeadlineAfter(10, TimeUnit.SECONDS)
                .push(request(counter("plain_total", 1)));
        Reply reply = new Reply();
        StreamObserver<PushRequest> stream = AggregationGatewayGrpc.newStub(intercepted).pushStream(reply);
        stream.onNext(request(counter("plain_total", 2)));
        stream.onCompleted();
        assertEquals(1, reply.result.get(10, TimeUnit.SECONDS).getSeries());
        assertEquals(java.util.List.of("identity", "identity"), encoding.encodings);
        assertTrue(scrape().contains("plain_total{job=\"grpc\"} 3\n"));
    }

    @Test
    void gzipCompressedCallsAreAcceptedAndAnsweredUncompressed() throws Exception {
        ReplyEncoding encoding = new ReplyEncoding();
        Channel intercepted = ClientInterceptors.intercept(channel, encoding);
        PushResponse unary = AggregationGatewayGrpc.newBlockingStub(intercepted).withCompression("gzip")
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .push(request(counter("zipped_total", 1, "kind", "a"), counter("zipped_total", 2, "kind", "b")));
        assertEquals(2, unary.getSeries());

        Reply reply = new Reply();
        StreamObserver<PushRequest> stream = AggregationGatewayGrpc.newStub(intercepted).withCompression("gzip")
                .pushStream(reply);
        for (int i = 0; i < 3; i++) {
            stream.onNext(request(counter("zipped_total", 10, "kind", "a")));
        }
        stream.onCompleted();
        assertEquals(3, reply.result.get(10, TimeUnit.SECONDS).getSeries());
        assertEquals(java.util.List.of("identity", "identity"), encoding.encodings);
        String scraped = scrape();
        assertTrue(scraped.contains("zipped_total{job=\"grpc\",kind=\"a\"} 31\n"), scraped);
        assertTrue(scraped.contains("zipped_total{job=\"grpc\",kind=\"b\"} 2\n"), scraped);
    }

    @Test
    void largeGzipCompressedMessagesSpanningFramesAreAccepted() throws Exception {
        // ~200 KB of series, compressed to more than one 16 KiB HTTP/2 frame
        MetricFamily.Builder family = MetricFamily.newBuilder().setName("many_total").setType(MetricType.COUNTER);
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 800; i++) {
            family.addMetric(Metric.newBuilder().addLabel(LabelPair.newBuilder().setName("id").setValue(Long.toString(random.nextLong(), 36)))
                    .setCounter(Counter.newBuilder().setValue(1)));
        }
        PushResponse response = blocking().withCompression("gzip").push(request(family.build()));
        assertEquals(800, response.getSeries());
    }

    @Test
    void rejectionsOfGzipCompressedCallsKeepTheirMessage() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking().withCompression("gzip")
                .push(request(counter("bad_total", -1))));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("family bad_total, series {job=\"grpc\"}: counter value -1.0 is negative", e.getStatus().getDescription());
    }

    private static MetricFamily counterWithLabelValue(String name, String value) {
        return counter(name, 1, "v", value);
    }

    @Test
    void gzipMessageOverTheLimitOnceDecompressedIsResourceExhaustedAndNothingIsApplied() throws Exception {
        // a few hundred compressed bytes that decompress to more than the limit
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking().withCompression("gzip")
                .push(request(counterWithLabelValue("bomb_total", "a".repeat(2 * MAX_MESSAGE)))));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertEquals("request message exceeds the maximum gRPC message size of " + MAX_MESSAGE + " bytes after gzip decoding",
                e.getStatus().getDescription());
        assertEquals("", scrape());
    }

    @Test
    void gzipMessageOverTheLimitCompressedIsResourceExhausted() throws Exception {
        byte[] noise = new byte[2 * MAX_MESSAGE];
        new java.util.Random(1).nextBytes(noise);
        String incompressible = java.util.Base64.getEncoder().encodeToString(noise);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking().withCompression("gzip").push(request(counterWithLabelValue("noise_total", incompressible))));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().matches(
                "compressed request message of \\d+ bytes exceeds the maximum gRPC message size of " + MAX_MESSAGE + " bytes"),
                e.getStatus().getDescription());
        assertEquals("", scrape());
    }

    @Test
    void gzipStreamMessagesBeforeAnOversizeOneStayApplied() throws Exception {
        Reply reply = new Reply();
        StreamObserver<PushRequest> stream = AggregationGatewayGrpc.newStub(channel).withCompression("gzip").pushStream(reply);
        stream.onNext(request(counter("streamed_total", 1)));
        stream.onNext(request(counter("streamed_total", 2)));
        stream.onNext(request(counterWithLabelValue("streamed_total", "a".repeat(2 * MAX_MESSAGE))));
        stream.onNext(request(counter("streamed_total", 100)));
        stream.onCompleted();
        Exception e = assertThrows(Exception.class, () -> reply.result.get(10, TimeUnit.SECONDS));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(e.getCause()).getCode());
        assertEquals("# TYPE streamed_total counter\nstreamed_total{job=\"grpc\"} 3\n", scrape());
    }

    @Test
    void anEncodingTheGatewayCannotDecodeIsUnimplemented() throws Exception {
        // a client-side codec the server does not know
        io.grpc.CompressorRegistry compressors = io.grpc.CompressorRegistry.newEmptyInstance();
        compressors.register(new io.grpc.Codec() {
            @Override
            public String getMessageEncoding() {
                return "snappy-test";
            }

            @Override
            public java.io.OutputStream compress(java.io.OutputStream os) {
                return os;
            }

            @Override
            public java.io.InputStream decompress(java.io.InputStream is) {
                return is;
            }
        });
        ManagedChannel other = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext()
                .compressorRegistry(compressors).build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> AggregationGatewayGrpc
                    .newBlockingStub(other).withCompression("snappy-test").withDeadlineAfter(10, TimeUnit.SECONDS)
                    .push(request(counter("snappy_total", 1))));
            assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
            assertEquals("grpc-encoding snappy-test is not supported; use gzip or none", e.getStatus().getDescription());
        } finally {
            other.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertEquals("", scrape());
    }

    @Test
    void aMessageThatIsNotAPushRequestIsInvalidArgument() throws Exception {
        // field 2 (families) as a length-delimited field whose length runs past the end of the message
        byte[] truncated = {0x12, 0x7f, 0x0a, 0x01};
        MethodDescriptor<byte[], byte[]> rawPush = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(AggregationGatewayGrpc.getPushMethod().getFullMethodName())
                .setRequestMarshaller(PushService.EncodedMessage.INSTANCE)
                .setResponseMarshaller(PushService.EncodedMessage.INSTANCE)
                .build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> io.grpc.stub.ClientCalls.blockingUnaryCall(
                channel, rawPush, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), truncated));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("request message is not a valid PushRequest: "),
                e.getStatus().getDescription());
        assertEquals("", scrape());
    }

    private static final class Reply implements StreamObserver<PushResponse> {
        final CompletableFuture<PushResponse> result = new CompletableFuture<>();
        private PushResponse last;

        @Override
        public void onNext(PushResponse value) {
            last = value;
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            result.complete(last);
        }
    }
}
