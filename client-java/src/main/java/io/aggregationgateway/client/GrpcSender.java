package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.v1.AggregationGatewayGrpc;
import io.aggregationgateway.proto.v1.PushRequest;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.stub.MetadataUtils;

import javax.net.ssl.SSLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's unary gRPC {@code Push} over one long-lived channel. The gateway's gRPC API has no
 * delete, so a delete goes as HTTP {@code DELETE} to the same port, which serves both.
 */
final class GrpcSender implements Sender {
    private final ClientSettings settings;
    private final ManagedChannel channel;
    private final AggregationGatewayGrpc.AggregationGatewayBlockingStub stub;
    private final Map<String, String> groupingLabels;
    private final long timeoutMillis;
    private final boolean runningTotals;
    private HttpSender deletes; // made by the first delete: most clients never delete

    GrpcSender(ClientSettings settings) {
        this.settings = settings;
        Target target = settings.target();
        ChannelCredentials credentials;
        if (!target.tls()) {
            credentials = InsecureChannelCredentials.create(); // h2c: HTTP/2 without TLS, as the gateway serves it
        } else if (settings.trustManager() != null) {
            credentials = TlsChannelCredentials.newBuilder().trustManager(settings.trustManager()).build();
        } else {
            credentials = TlsChannelCredentials.create(); // the JDK's default trust store
        }
        Metadata headers = new Metadata();
        settings.headers().forEach((name, value) ->
                headers.put(Metadata.Key.of(name.toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER), value));
        channel = NettyChannelBuilder.forAddress(target.host(), target.port(), credentials)
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
                .userAgent(ClientSettings.USER_AGENT)
                // PushClient retries itself (with backoff, only what is safe to resend); grpc-java's
                // own retry would keep a copy of every request for nothing
                .disableRetry()
                .intercept(MetadataUtils.newAttachHeadersInterceptor(headers))
                .build();
        stub = AggregationGatewayGrpc.newBlockingStub(channel);
        groupingLabels = settings.groupingLabels();
        timeoutMillis = settings.requestTimeout().toMillis();
        runningTotals = settings.runningTotals();
    }

    @Override
    public void send(List<MetricFamily> families) throws AttemptFailure, InterruptedException {
        // running totals replace what the source pushed before, as an HTTP PUT does
        PushRequest request = PushRequest.newBuilder().putAllGroupingLabels(groupingLabels).addAllFamilies(families)
                .setReplace(runningTotals).build();
        try {
            stub.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS).push(request);
        } catch (StatusRuntimeException e) {
            if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
                throw new InterruptedException("interrupted while pushing");
            }
            Status status = e.getStatus();
            // UNAVAILABLE is retried: the gateway was not reached or went away. A deadline may have
            // expired after the gateway applied the push: for increments a second copy would be
            // added, so only running totals retry it. Nor is a TLS failure (untrusted certificate)
            // retried, which gRPC also reports as UNAVAILABLE.
            boolean retryable = (status.getCode() == Status.Code.UNAVAILABLE
                    || (runningTotals && status.getCode() == Status.Code.DEADLINE_EXCEEDED)) && !causedByTls(status.getCause());
            throw AttemptFailure.grpc(status.getCode().name(), status.getDescription(), retryable, status.getCause());
        }
    }

    private static boolean causedByTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void delete() throws AttemptFailure, InterruptedException {
        if (deletes == null) {
            deletes = new HttpSender(settings);
        }
        deletes.delete();
    }

    @Override
    public void beforeRetry() {
        // after a failed connection the channel waits a second or more before trying again, and
        // fails calls at once meanwhile; the retry should reach the gateway, not that wait
        channel.resetConnectBackoff();
    }

    @Override
    public void close() {
        if (deletes != null) {
            deletes.close();
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
