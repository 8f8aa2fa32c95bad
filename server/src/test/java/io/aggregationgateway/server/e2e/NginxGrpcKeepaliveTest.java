package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.support.RunningGateway;
import io.aggregationgateway.testsupport.Closer;
import io.aggregationgateway.testsupport.RealNginx;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Why deploy/nginx/aggregation-gateway.conf keeps no gRPC connections to the replicas alive: nginx
 * announces SETTINGS_HEADER_TABLE_SIZE 0 to its upstreams, Helidon 4.4.0 ignores it and refers to
 * its HPACK dynamic table in the next response on the same connection, and nginx answers that push
 * with 502. Accepted pushes are answered without the table ({@code DirectCall}); refusals, health
 * and reflection are answered by Helidon's encoder, so the fault still stands for them. This test puts {@code keepalive} back into the gRPC upstream groups and expects that
 * failure; once Helidon honours the setting it fails, and the configuration may keep gRPC
 * connections alive again.
 */
class NginxGrpcKeepaliveTest {
    private static final Pattern GRPC_UPSTREAM = Pattern.compile("(upstream aggregation_gateway_grpc_[a-z_]+ \\{\\n)");

    @TempDir
    Path workDir;

    @Test
    void helidonStillIgnoresNginxsHeaderTableSizeSoGrpcUpstreamsMustNotBeKeptAlive() throws Exception {
        RunningGateway gateway = new RunningGateway();
        RealNginx nginx = null;
        try {
            nginx = BalancedReplicas.startNginx(workDir, List.of("127.0.0.1:" + gateway.port()),
                    NginxGrpcKeepaliveTest::keepGrpcConnectionsAlive);
            try (GrpcSender sender = new GrpcSender(nginx.ports().get(1))) {
                // accepted pushes are answered with header blocks that never touch the table (DirectCall)
                sender.push(Map.of("job", "keepalive"), ProtoFamilies.counter("keepalive_pushes_total", "", 1));
                sender.push(Map.of("job", "keepalive"), ProtoFamilies.counter("keepalive_pushes_total", "", 1));
                // a refusal's trailers are Helidon's, which enter its dynamic table; the next refusal refers to them
                StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                        () -> sender.push(Map.of("job", "keepalive"), ProtoFamilies.counter("keepalive_pushes_total", "", -1)));
                assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), refused::toString);
                try {
                    sender.push(Map.of("job", "keepalive"), ProtoFamilies.counter("keepalive_pushes_total", "", -1));
                    fail("the second refusal over a kept-alive upstream connection went through: Helidon now honours "
                            + "SETTINGS_HEADER_TABLE_SIZE, so deploy/nginx/aggregation-gateway.conf may give its gRPC upstream "
                            + "groups `keepalive 32;` again (and this test can go)");
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                        fail("the second refusal over a kept-alive upstream connection went through: Helidon now honours "
                                + "SETTINGS_HEADER_TABLE_SIZE, so deploy/nginx/aggregation-gateway.conf may give its gRPC "
                                + "upstream groups `keepalive 32;` again (and this test can go)");
                    }
                    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e::toString);
                }
            }
            String log = nginx.logTail();
            assertTrue(log.contains("upstream sent invalid http2 table index"), log);
        } finally {
            Closer.closeAll(nginx, gateway);
        }
    }

    private static String keepGrpcConnectionsAlive(String balancer) {
        Matcher upstream = GRPC_UPSTREAM.matcher(balancer);
        String edited = upstream.replaceAll("$1    keepalive 32;\n");
        assertEquals(2, GRPC_UPSTREAM.matcher(balancer).results().count(), "the two gRPC upstream groups");
        return edited;
    }
}
