package io.aggregationgateway.client;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retry behaviour against scripted stand-ins for the gateway, which count the attempts: transient
 * failures are retried until one succeeds, client errors and timeouts are not.
 */
class RetryTest {

    private static PushClientBuilder fastRetries(String target, Transport transport) {
        return PushClient.builder().target(target).transport(transport).job("retry").source(Fixtures.rawSource())
                .maxAttempts(4).initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(20));
    }

    @Test
    void http5xxIsRetriedUntilItSucceeds() throws Exception {
        try (ScriptedHttpGateway gateway = new ScriptedHttpGateway(Duration.ZERO, 503, 500, 200);
             PushClient client = fastRetries(gateway.address(), Transport.HTTP_PROTOBUF).build()) {
            client.push();
            assertEquals(3, gateway.requests.get());
        }
    }

    @Test
    void http5xxThatPersistsEndsWithTheLastStatusAndMessage() throws Exception {
        try (ScriptedHttpGateway gateway = new ScriptedHttpGateway(Duration.ZERO, 502);
             PushClient client = fastRetries(gateway.address(), Transport.HTTP_TEXT).build()) {
            PushException e = assertThrows(PushException.class, client::push);
            assertEquals(4, gateway.requests.get());
            assertEquals(4, e.attempts());
            assertTrue(e.isRetryable());
            assertEquals(OptionalInt.of(502), e.httpStatus());
            assertEquals(Optional.of("scripted failure 502"), e.serverMessage());
        }
    }

    @Test
    void http4xxStopsRetriesAtOnce() throws Exception {
        try (ScriptedHttpGateway gateway = new ScriptedHttpGateway(Duration.ZERO, 400, 200);
             PushClient client = fastRetries(gateway.address(), Transport.HTTP_PROTOBUF).build()) {
            PushException e = assertThrows(PushException.class, client::push);
            assertEquals(1, gateway.requests.get());
            assertEquals(OptionalInt.of(400), e.httpStatus());
            assertFalse(e.isRetryable());
        }
    }

    @Test
    void aTimedOutHttpPushIsNotRetriedBecauseTheGatewayMayHaveAppliedIt() throws Exception {
        try (ScriptedHttpGateway gateway = new ScriptedHttpGateway(Duration.ofMillis(1500), 200);
             PushClient client = fastRetries(gateway.address(), Transport.HTTP_PROTOBUF)
                     .requestTimeout(Duration.ofMillis(200)).build()) {
            PushException e = assertThrows(PushException.class, client::push);
            assertEquals(1, e.attempts());
            assertFalse(e.isRetryable());
            assertEquals(1, gateway.requests.get());
        }
    }

    @Test
    void httpPushesCarryHeadersAndTheGroupingPath() throws Exception {
        try (ScriptedHttpGateway gateway = new ScriptedHttpGateway(Duration.ZERO, 200);
             PushClient client = fastRetries("http://" + gateway.address() + "/gateway/", Transport.HTTP_TEXT)
                     .groupingLabel("path", "a/b")
                     .groupingLabel("empty", "")
                     .groupingLabel("spaced", "x y%")
                     .header("Authorization", "Bearer s3cret")
                     .build()) {
            client.push();
            assertEquals(List.of("/gateway/metrics/job/retry/path@base64/YS9i/empty@base64/=/spaced/x%20y%25"), gateway.paths);
            assertEquals("Bearer s3cret", gateway.lastHeaders.get("authorization"));
            assertEquals(HttpSender.TEXT_CONTENT_TYPE, gateway.lastHeaders.get("content-type"));
        }
    }

    @Test
    void grpcUnavailableIsRetriedUntilItSucceeds() throws Exception {
        try (ScriptedGrpcGateway gateway = new ScriptedGrpcGateway(Status.Code.UNAVAILABLE, Status.Code.UNAVAILABLE, Status.Code.OK);
             PushClient client = fastRetries(gateway.address(), Transport.GRPC)
                     .groupingLabel("zone", "eu")
                     .header("Authorization", "Bearer s3cret").build()) {
            client.push();
            assertEquals(3, gateway.calls.get());
            assertEquals("Bearer s3cret", gateway.lastMetadata.get("authorization"));
            assertEquals(Map.of("job", "retry", "zone", "eu"), gateway.requests.get(2).getGroupingLabelsMap());
            assertEquals(Fixtures.rawFamilies(), gateway.requests.get(2).getFamiliesList());
        }
    }

    @Test
    void grpcInvalidArgumentStopsRetriesAtOnce() throws Exception {
        try (ScriptedGrpcGateway gateway = new ScriptedGrpcGateway(Status.Code.INVALID_ARGUMENT, Status.Code.OK);
             PushClient client = fastRetries(gateway.address(), Transport.GRPC).build()) {
            PushException e = assertThrows(PushException.class, client::push);
            assertEquals(1, gateway.calls.get());
            assertEquals(Optional.of("INVALID_ARGUMENT"), e.grpcStatus());
            assertEquals(Optional.of("scripted INVALID_ARGUMENT"), e.serverMessage());
            assertFalse(e.isRetryable());
        }
    }

    @Test
    void grpcDeadlineExceededIsNotRetried() throws Exception {
        try (ScriptedGrpcGateway gateway = new ScriptedGrpcGateway(Status.Code.DEADLINE_EXCEEDED, Status.Code.OK);
             PushClient client = fastRetries(gateway.address(), Transport.GRPC).build()) {
            PushException e = assertThrows(PushException.class, client::push);
            assertEquals(1, gateway.calls.get());
            assertEquals(Optional.of("DEADLINE_EXCEEDED"), e.grpcStatus());
        }
    }
}
