package io.aggregationgateway.server.security;

import java.util.Locale;

/** What a request does, and so which permission it needs. */
enum Role {
    /** Push metrics: HTTP POST and PUT, gRPC Push and PushStream. */
    PUSH,
    /** Read what the gateway holds: scrapes, the status page and its JSON API. */
    READ,
    /** Remove what the gateway holds: every DELETE. */
    ADMIN;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Role named(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
