package io.aggregationgateway.server;

import io.aggregationgateway.server.ingest.PushFormat;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.security.RefusedPushes;
import io.aggregationgateway.server.selfmetrics.GatewayMetrics;
import io.aggregationgateway.server.selfmetrics.RecentRejections;

/**
 * The pushes the security guards refuse, counted and listed as the pushes the adapters refuse are:
 * in {@code aggregation_gateway_pushes_total{result="rejected"}} and {@code _rejections_total} by
 * reason ({@code unauthenticated}, {@code forbidden}, {@code rate_limited}), and among the status
 * page's recent rejections. Their bodies were never read: they count 0 bytes received.
 */
final class RefusedPushRecorder implements RefusedPushes {
    private static final String GRPC_FORMAT = "grpc";

    private final GatewayMetrics metrics;

    RefusedPushRecorder(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void refused(Refusal refusal) {
        String format = refusal.grpc() ? GRPC_FORMAT : formatOf(refusal.contentType());
        RejectionReason reason = switch (refusal.why()) {
            case UNAUTHENTICATED -> RejectionReason.UNAUTHENTICATED;
            case FORBIDDEN -> RejectionReason.FORBIDDEN;
            case RATE_LIMITED -> RejectionReason.RATE_LIMITED;
        };
        metrics.recordPush(format, 0, reason);
        metrics.recentRejections().record(RecentRejections.address(refusal.peer()), refusal.route(), format,
                new PushRejectedException(reason, refusal.message()));
    }

    /** The format the push announced, as a push the adapters refuse names it; text when it named none. */
    private static String formatOf(String contentType) {
        try {
            return PushFormat.fromContentType(contentType).label();
        } catch (PushRejectedException unknown) {
            return PushFormat.TEXT.label();
        }
    }
}
