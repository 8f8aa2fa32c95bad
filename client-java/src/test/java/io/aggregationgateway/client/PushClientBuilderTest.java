package io.aggregationgateway.client;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PushClientBuilderTest {

    @Test
    void targetsParse() {
        assertEquals(new Target("localhost", 8080, false, ""), Target.parse("localhost:8080", null));
        assertEquals(new Target("::1", 9091, true, ""), Target.parse("[::1]:9091", true));
        assertEquals(new Target("gw", 80, false, ""), Target.parse("http://gw", null));
        assertEquals(new Target("example.com", 443, true, "/gateway"), Target.parse("https://example.com/gateway/", null));
        assertEquals(URI.create("https://example.com:443/gateway/metrics/job/x"),
                Target.parse("https://example.com/gateway", null).httpUri("/metrics/job/x"));
        assertEquals(URI.create("http://[::1]:1/metrics"), Target.parse("[::1]:1", null).httpUri("/metrics"));
    }

    @Test
    void malformedOrContradictoryTargetsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Target.parse("localhost", null), "no port");
        assertThrows(IllegalArgumentException.class, () -> Target.parse("ftp://gw:21", null));
        assertThrows(IllegalArgumentException.class, () -> Target.parse("http://gw:1?x=y", null));
        assertThrows(IllegalArgumentException.class, () -> Target.parse("https://gw:1", false));
        assertThrows(IllegalArgumentException.class, () -> PushClient.builder().target("http://gw:1/prefix").job("j").build(),
                "gRPC cannot use a path prefix");
    }

    @Test
    void requiredSettingsAndInvalidValuesAreReported() {
        assertTrue(assertThrows(IllegalStateException.class, () -> PushClient.builder().job("j").build())
                .getMessage().contains("target"));
        assertTrue(assertThrows(IllegalStateException.class, () -> PushClient.builder().target("h:1").build())
                .getMessage().contains("job"));
        PushClientBuilder builder = PushClient.builder();
        assertThrows(IllegalArgumentException.class, () -> builder.job(""));
        assertThrows(IllegalArgumentException.class, () -> builder.groupingLabel("job", "x"));
        assertThrows(IllegalArgumentException.class, () -> builder.groupingLabel("__reserved", "x"));
        assertThrows(IllegalArgumentException.class, () -> builder.groupingLabel("1abc", "x"));
        assertThrows(IllegalArgumentException.class, () -> builder.header("Content-Type", "text/plain"));
        assertThrows(IllegalArgumentException.class, () -> builder.header("X-Auth", "a\r\nb"));
        assertThrows(IllegalArgumentException.class, () -> builder.header("bad header", "x"));
        assertThrows(IllegalArgumentException.class, () -> builder.maxAttempts(0));
        assertThrows(IllegalArgumentException.class, () -> builder.requestTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> builder.initialBackoff(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> PushClient.builder().target("h:1").job("j")
                .initialBackoff(Duration.ofSeconds(2)).maxBackoff(Duration.ofSeconds(1)).build());
    }

    @Test
    void backoffDoublesUpToTheCapWithJitterOfAtMostHalf() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(1000));
        long[] full = {100, 200, 400, 800, 1000, 1000};
        for (int retry = 1; retry <= full.length; retry++) {
            for (int i = 0; i < 50; i++) {
                long ms = policy.backoffBefore(retry).toMillis();
                long max = full[retry - 1];
                assertTrue(ms >= max / 2 && ms <= max, "retry " + retry + ": " + ms + " ms");
            }
        }
    }
}
