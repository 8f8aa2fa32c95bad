package io.aggregationgateway.server.security;

/** Whether a request may go on, and if not, why not. */
sealed interface Verdict {
    /** @param user who made it, or {@code null} for an open route or a gateway without users */
    record Allowed(String user) implements Verdict {
    }

    /** No credentials, or wrong ones: {@code 401}, gRPC {@code UNAUTHENTICATED}. */
    record Unauthenticated(String why) implements Verdict {
    }

    /** A known user without the role: {@code 403}, gRPC {@code PERMISSION_DENIED}. */
    record Forbidden(String user, Role role) implements Verdict {
        String why() {
            return "user " + user + " does not have the " + role.label() + " role";
        }
    }

    /** Over the push rate limit: {@code 429} with {@code Retry-After}, gRPC {@code RESOURCE_EXHAUSTED}. */
    record Throttled(String client, long retryAfterSeconds, String why) implements Verdict {
    }
}
