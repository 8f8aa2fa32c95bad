package io.aggregationgateway.server.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Decides who may do what. Without users every request is allowed, as in a gateway without a web
 * config. With users, each request needs a user with its role, unless {@code --public-push} or
 * {@code --public-read} opens that role to anyone; admin never opens. A user named by
 * {@code --user-roles} has the roles listed there, any other user every role.
 */
final class Authorizer {
    private final Passwords passwords;
    private final Map<String, Set<Role>> userRoles;
    private final boolean publicPush;
    private final boolean publicRead;

    Authorizer(Passwords passwords, Map<String, Set<Role>> userRoles, boolean publicPush, boolean publicRead) {
        this.passwords = passwords;
        this.userRoles = Map.copyOf(userRoles);
        this.publicPush = publicPush;
        this.publicRead = publicRead;
    }

    Authorizer withPasswords(Passwords replacement) {
        return new Authorizer(replacement, userRoles, publicPush, publicRead);
    }

    Passwords passwords() {
        return passwords;
    }

    /**
     * @param role          what the request needs; {@code null} for a route open to anyone (health checks)
     * @param authorization the {@code Authorization} header (gRPC: metadata) as sent, or {@code null}
     */
    Verdict check(Role role, String authorization) {
        if (role == null || !passwords.anyUsers() || (role == Role.PUSH && publicPush) || (role == Role.READ && publicRead)) {
            return new Verdict.Allowed(null);
        }
        if (authorization == null) {
            return new Verdict.Unauthenticated("this gateway needs a user name and password (HTTP basic authentication)");
        }
        Credentials credentials = Credentials.parse(authorization);
        if (credentials == null) {
            return new Verdict.Unauthenticated("the Authorization header is not HTTP basic authentication"
                    + " (expected \"Basic \" and base64 of user:password)");
        }
        if (!passwords.matches(credentials.user(), credentials.password())) {
            return new Verdict.Unauthenticated("wrong user name or password");
        }
        Set<Role> roles = userRoles.getOrDefault(credentials.user(), EnumSet.allOf(Role.class));
        return roles.contains(role) ? new Verdict.Allowed(credentials.user()) : new Verdict.Forbidden(credentials.user(), role);
    }

    /** User name and password from {@code Authorization: Basic base64(user:password)}, UTF-8 as RFC 7617 asks. */
    record Credentials(String user, byte[] password) {
        static Credentials parse(String header) {
            String value = header.strip();
            if (value.length() < 6 || !value.regionMatches(true, 0, "Basic ", 0, 6)) {
                return null;
            }
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(value.substring(6).strip());
            } catch (IllegalArgumentException e) {
                return null;
            }
            int colon = -1;
            for (int i = 0; i < decoded.length; i++) {
                if (decoded[i] == ':') {
                    colon = i;
                    break;
                }
            }
            if (colon < 0) {
                return null;
            }
            byte[] password = new byte[decoded.length - colon - 1];
            System.arraycopy(decoded, colon + 1, password, 0, password.length);
            return new Credentials(new String(decoded, 0, colon, StandardCharsets.UTF_8), password);
        }
    }
}
