package io.aggregationgateway.server.security;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who sent a request, for per-client limits. The peer of the connection, unless it is a trusted
 * proxy ({@code --trusted-proxy}): then {@code X-Forwarded-For} is read from the right, each proxy
 * having appended the address it got the request from, and the first address that is not a
 * trusted proxy is the client. Entries to its left were written by the client itself and are
 * ignored. An entry that is not an IP address ends the walk and names the client as written.
 */
final class ClientAddresses {
    /** The longest client name kept from a header; longer ones are cut, so they cannot grow the limiter's memory. */
    static final int MAX_NAME = 64;

    private final List<Cidr> trustedProxies;

    ClientAddresses(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /**
     * @param peer          the connection's remote address
     * @param forwardedFors every {@code X-Forwarded-For} header value, in the order received
     * @return the client's address as text, e.g. {@code 192.0.2.7} or {@code 2001:db8::7}
     */
    String client(InetAddress peer, List<String> forwardedFors) {
        if (!trusted(peer) || forwardedFors.isEmpty()) {
            return peer.getHostAddress();
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFors) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.strip());
                }
            }
        }
        String client = peer.getHostAddress();
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            Optional<InetAddress> address = Cidr.literal(withoutPort(hop));
            if (address.isEmpty()) {
                return hop.length() > MAX_NAME ? hop.substring(0, MAX_NAME) : hop;
            }
            client = address.get().getHostAddress();
            if (!trusted(address.get())) {
                return client;
            }
        }
        return client; // every hop is a trusted proxy: the leftmost one is as far as the chain goes
    }

    boolean trustsAnyProxy() {
        return !trustedProxies.isEmpty();
    }

    private boolean trusted(InetAddress address) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** {@code 192.0.2.7:1234} → {@code 192.0.2.7}; {@code [2001:db8::7]:1234} → {@code 2001:db8::7}. */
    private static String withoutPort(String hop) {
        if (hop.startsWith("[")) {
            int close = hop.indexOf(']');
            return close < 0 ? hop : hop.substring(1, close);
        }
        int colon = hop.indexOf(':');
        return colon >= 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
    }
}
