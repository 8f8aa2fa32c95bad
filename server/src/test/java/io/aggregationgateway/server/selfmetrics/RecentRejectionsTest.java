package io.aggregationgateway.server.selfmetrics;

import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecentRejectionsTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static PushRejectedException rejection(String message) {
        return new PushRejectedException(RejectionReason.MALFORMED, message);
    }

    @Test
    void keepsTheNewestHundredNewestFirst() {
        RecentRejections ring = new RecentRejections(Clock.fixed(T0, ZoneOffset.UTC));
        for (int i = 1; i <= 250; i++) {
            ring.record("127.0.0.1:" + i, "POST /metrics/job/a", "text", rejection("bad " + i));
        }
        List<RejectedPush> held = ring.newestFirst();
        assertEquals(RecentRejections.CAPACITY, held.size());
        assertEquals(250, ring.recorded());
        assertEquals(new RejectedPush(250, T0, "127.0.0.1:250", "POST /metrics/job/a", "text", RejectionReason.MALFORMED,
                "bad 250"), held.get(0));
        assertEquals("bad 151", held.get(99).message());
    }

    @Test
    void aFloodFromManyThreadsStaysAtAHundredEntriesOfBoundedSize() throws Exception {
        RecentRejections ring = new RecentRejections(Clock.systemUTC());
        String huge = "x".repeat(1 << 20); // every message a megabyte: the ring must not keep them
        String longRoute = "POST /metrics/job/" + "j".repeat(100_000);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            done.add(threads.submit(() -> {
                for (int i = 0; i < 2_500; i++) {
                    ring.record("c".repeat(500), longRoute, "protobuf", rejection(huge));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();
        List<RejectedPush> held = ring.newestFirst();
        assertEquals(10_000, ring.recorded());
        assertEquals(RecentRejections.CAPACITY, held.size());
        Set<Long> sequences = new HashSet<>();
        long chars = 0;
        for (RejectedPush entry : held) {
            sequences.add(entry.sequence());
            assertTrue(entry.message().length() <= RecentRejections.MAX_MESSAGE_CHARS + 40, "message cut");
            assertTrue(entry.route().length() <= RecentRejections.MAX_ROUTE_CHARS + 40, "route cut");
            assertTrue(entry.client().length() <= RecentRejections.MAX_SHORT_CHARS + 40, "client cut");
            assertTrue(entry.message().endsWith("… (" + ((1 << 20) - RecentRejections.MAX_MESSAGE_CHARS) + " more chars)"),
                    entry.message().substring(RecentRejections.MAX_MESSAGE_CHARS));
            chars += entry.message().length() + entry.route().length() + entry.client().length() + entry.format().length();
        }
        assertEquals(100, sequences.size(), "a hundred different rejections");
        assertTrue(chars < 200_000, "the ring holds " + chars + " chars of text");
    }

    @Test
    void cuttingNeverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDE00"; // one code point, two chars
        String text = "a".repeat(RecentRejections.MAX_MESSAGE_CHARS - 1) + emoji + "tail";
        String cut = RecentRejections.cut(text, RecentRejections.MAX_MESSAGE_CHARS);
        assertEquals("a".repeat(RecentRejections.MAX_MESSAGE_CHARS - 1) + "… (6 more chars)", cut);
        assertEquals("short", RecentRejections.cut("short", 10));
        assertEquals("", RecentRejections.cut(null, 10));
    }

    @Test
    void addressesAreHostAndPort() throws Exception {
        assertEquals("127.0.0.1:5501", RecentRejections.address(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5501)));
        assertEquals("[0:0:0:0:0:0:0:1]:80", RecentRejections.address(new InetSocketAddress(InetAddress.getByName("::1"), 80)));
        assertEquals(RecentRejections.UNKNOWN_CLIENT, RecentRejections.address(null));
    }
}
