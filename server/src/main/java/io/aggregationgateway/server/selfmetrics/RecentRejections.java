package io.aggregationgateway.server.selfmetrics;

import io.aggregationgateway.server.model.PushRejectedException;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last {@link #CAPACITY} refused pushes, from every adapter, for the status page: a ring of
 * fixed size whose texts are cut to fixed lengths, so a flood of rejections with huge messages
 * holds at most a few hundred kilobytes. Recording is lock-free: a sequence number picks the slot.
 */
public final class RecentRejections {
    public static final int CAPACITY = 100;
    /** Longest message kept, in chars; the rest is replaced by a note of how much was cut. */
    public static final int MAX_MESSAGE_CHARS = 1000;
    /** Longest route kept, in chars (a path can be as long as Helidon's request line). */
    public static final int MAX_ROUTE_CHARS = 300;
    /** Longest client address or format kept, in chars. */
    public static final int MAX_SHORT_CHARS = 100;
    /** The client of a refusal whose sender is not known (a gRPC message refused before its call started). */
    public static final String UNKNOWN_CLIENT = "unknown";

    private final Clock clock;
    private final AtomicReferenceArray<RejectedPush> slots = new AtomicReferenceArray<>(CAPACITY);
    private final AtomicLong recorded = new AtomicLong();

    public RecentRejections(Clock clock) {
        this.clock = clock;
    }

    /**
     * Keeps one refusal, replacing the oldest once {@link #CAPACITY} are held.
     *
     * @param client the sender's address, or {@link #UNKNOWN_CLIENT}
     * @param route  the HTTP method and path, or the gRPC method
     * @param format the push format's label
     */
    public void record(String client, String route, String format, PushRejectedException rejection) {
        long sequence = recorded.incrementAndGet();
        RejectedPush entry = new RejectedPush(sequence, clock.instant(), cut(client, MAX_SHORT_CHARS),
                cut(route, MAX_ROUTE_CHARS), cut(format, MAX_SHORT_CHARS), rejection.reason(),
                cut(rejection.getMessage(), MAX_MESSAGE_CHARS));
        slots.set((int) ((sequence - 1) % CAPACITY), entry);
    }

    /** The refusals held, newest first. */
    public List<RejectedPush> newestFirst() {
        List<RejectedPush> held = new ArrayList<>(CAPACITY);
        for (int i = 0; i < CAPACITY; i++) {
            RejectedPush entry = slots.get(i);
            if (entry != null) {
                held.add(entry);
            }
        }
        held.sort(Comparator.comparingLong(RejectedPush::sequence).reversed());
        return held;
    }

    /** Refusals recorded since start, including those the ring no longer holds. */
    public long recorded() {
        return recorded.get();
    }

    /** A sender's address as the log and the status page show it: {@code 127.0.0.1:5501}, {@code [::1]:5501}. */
    public static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return address == null ? UNKNOWN_CLIENT : address.toString();
    }

    /**
     * {@code text} if it fits in {@code max} chars; otherwise its start, never splitting a
     * surrogate pair, and a note of how many chars were left out.
     */
    static String cut(String text, int max) {
        if (text == null) {
            return "";
        }
        if (text.length() <= max) {
            return text;
        }
        int end = max;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "… (" + (text.length() - end) + " more chars)";
    }
}
