package io.aggregationgateway.bench;

import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushRequest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * wrk for the gRPC {@code Push} call: {@code connections} channels (one HTTP/2 connection each),
 * each with one call in flight at a time, for a fixed time; prints the rate of successful pushes.
 * Calls are asynchronous, the next sent from the previous one's completion on the channel's event
 * loop, so the client spends its CPU on gRPC rather than on waking blocked threads. Calls use
 * grpc-java's defaults otherwise: uncompressed requests, {@code grpc-accept-encoding: gzip}.
 *
 * <p>The request is encoded once and sent as bytes, and responses are not decoded: like wrk's
 * prepared body, this keeps the load generator's share of the two cores small.
 *
 * <p>Usage: {@code GrpcLoad <port> <workload> <connections> <seconds> [warmup seconds]}; prints
 * {@code pushes_per_second=<x> errors=<n> total_pushes=<n>}, the total counting the warm-up too.
 */
public final class GrpcLoad {
    private static final MethodDescriptor<byte[], byte[]> PUSH = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(AggregationGatewayGrpc.getPushMethod().getFullMethodName())
            .setRequestMarshaller(new RawBytes())
            .setResponseMarshaller(new RawBytes())
            .build();

    private GrpcLoad() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 4) {
            System.err.println("usage: GrpcLoad <port> <workload> <connections> <seconds> [warmup seconds]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Workload workload = Workload.byId(args[1]);
        int connections = Integer.parseInt(args[2]);
        long measureNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        long warmupNanos = TimeUnit.SECONDS.toNanos(args.length > 4 ? Long.parseLong(args[4]) : 0);

        byte[] request = PushRequest.newBuilder()
                .putGroupingLabels("job", "bench")
                .addAllFamilies(workload.families())
                .build()
                .toByteArray();

        LongAdder pushes = new LongAdder();
        LongAdder allPushes = new LongAdder(); // warm-up included
        LongAdder errors = new LongAdder();
        AtomicBoolean measuring = new AtomicBoolean();
        long start = System.nanoTime();
        long measureStart = start + warmupNanos;
        long end = measureStart + measureNanos;

        List<ManagedChannel> channels = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(connections);
        for (int c = 0; c < connections; c++) {
            // directExecutor: replies are handled on the channel's event loop, which sends the next
            // call at once, with no hop to a waiting thread and back (grpc-java's advice for
            // non-blocking callbacks). Still one call in flight per connection, as with wrk.
            // disableRetry: grpc-java otherwise keeps a copy of every request for a transparent
            // retry (about 40 % of its CPU per small call); wrk does not retry either, and neither
            // does client-java, which has its own retries.
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                    .directExecutor().disableRetry().build();
            channels.add(channel);
            new Sender(channel, request, end, measuring, pushes, allPushes, errors, done).next();
        }
        sleepUntil(measureStart);
        measuring.set(true);
        long measuredFrom = System.nanoTime();
        long cpuFrom = processCpuNanos();
        sleepUntil(end);
        measuring.set(false);
        double seconds = (System.nanoTime() - measuredFrom) / 1e9;
        long cpuNanos = processCpuNanos() - cpuFrom;
        done.await();
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        // the client's own CPU in the measured window: it shares the cores with the server
        System.out.printf(Locale.ROOT, "pushes_per_second=%.1f errors=%d total_pushes=%d client_cpu_us_per_push=%.1f%n",
                pushes.sum() / seconds, errors.sum(), allPushes.sum(),
                pushes.sum() == 0 ? 0.0 : cpuNanos / 1e3 / pushes.sum());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** One connection's loop: each reply sends the next call until the end time. */
    private record Sender(ManagedChannel channel, byte[] request, long end, AtomicBoolean measuring, LongAdder pushes,
                          LongAdder allPushes, LongAdder errors, CountDownLatch done) implements StreamObserver<byte[]> {
        void next() {
            if (System.nanoTime() < end) {
                ClientCalls.asyncUnaryCall(channel.newCall(PUSH, CallOptions.DEFAULT), request, this);
            } else {
                done.countDown();
            }
        }

        @Override
        public void onNext(byte[] value) {
        }

        @Override
        public void onCompleted() {
            allPushes.increment();
            if (measuring.get()) {
                pushes.increment();
            }
            next();
        }

        @Override
        public void onError(Throwable t) {
            if (measuring.get()) {
                errors.increment();
            }
            if (errors.sum() == 1) {
                System.err.println("GrpcLoad: " + io.grpc.Status.fromThrowable(t));
            }
            next();
        }
    }

    /** Passes pre-encoded messages through untouched. */
    private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
