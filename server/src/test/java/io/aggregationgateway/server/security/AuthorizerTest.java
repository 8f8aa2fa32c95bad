package io.aggregationgateway.server.security;

import io.aggregationgateway.testsupport.Htpasswd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Each role open and closed, for each kind of caller. */
class AuthorizerTest {
    private static Passwords passwords;

    @BeforeAll
    static void users() throws Exception {
        passwords = Passwords.of(Map.of("ops", Htpasswd.bcrypt("ops", "ops-pw"), "pusher", Htpasswd.bcrypt("pusher", "push-pw")));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String outcome(Verdict verdict) {
        return switch (verdict) {
            case Verdict.Allowed allowed -> "allowed";
            case Verdict.Unauthenticated refused -> "401";
            case Verdict.Forbidden refused -> "403";
            case Verdict.Throttled refused -> "429";
        };
    }

    @ParameterizedTest(name = "{0} {1} as {2}: {3}")
    @CsvSource({
            // public-push, public-read, caller, then push / read / admin
            "false, false, nobody,  401, 401, 401",
            "false, false, ops,     allowed, allowed, allowed",
            "false, false, pusher,  allowed, 403, 403",
            "false, false, wrong,   401, 401, 401",
            "true,  false, nobody,  allowed, 401, 401",
            "false, true,  nobody,  401, allowed, 401",
            "true,  true,  nobody,  allowed, allowed, 401",
            "true,  true,  pusher,  allowed, allowed, 403",
            "true,  true,  wrong,   allowed, allowed, 401",
    })
    void rolesOpenAndClosed(boolean publicPush, boolean publicRead, String caller, String push, String read, String admin) {
        Authorizer authorizer = new Authorizer(passwords, Map.of("pusher", EnumSet.of(Role.PUSH)), publicPush, publicRead);
        String header = switch (caller) {
            case "nobody" -> null;
            case "ops" -> basic("ops", "ops-pw");
            case "pusher" -> basic("pusher", "push-pw");
            default -> basic("ops", "not-the-password");
        };
        assertEquals(push, outcome(authorizer.check(Role.PUSH, header)), "push");
        assertEquals(read, outcome(authorizer.check(Role.READ, header)), "read");
        assertEquals(admin, outcome(authorizer.check(Role.ADMIN, header)), "admin never opens");
        assertEquals("allowed", outcome(authorizer.check(null, header)), "health checks are always open");
    }

    @Test
    void withoutUsersEverythingIsOpen() {
        Authorizer open = new Authorizer(Passwords.of(Map.of()), Map.of(), false, false);
        for (Role role : Role.values()) {
            assertEquals("allowed", outcome(open.check(role, null)));
        }
    }

    @Test
    void whyARequestIsRefused() {
        Authorizer authorizer = new Authorizer(passwords, Map.of("pusher", Set.of(Role.PUSH)), false, false);
        assertEquals(new Verdict.Unauthenticated("this gateway needs a user name and password (HTTP basic authentication)"),
                authorizer.check(Role.READ, null));
        assertEquals(new Verdict.Unauthenticated("the Authorization header is not HTTP basic authentication"
                + " (expected \"Basic \" and base64 of user:password)"), authorizer.check(Role.READ, "Bearer abc"));
        assertEquals(new Verdict.Unauthenticated("wrong user name or password"), authorizer.check(Role.READ, basic("ops", "x")));
        assertEquals("user pusher does not have the admin role",
                ((Verdict.Forbidden) authorizer.check(Role.ADMIN, basic("pusher", "push-pw"))).why());
    }

    @Test
    void credentialsAreBase64OfUserColonPasswordInUtf8() {
        Authorizer.Credentials credentials = Authorizer.Credentials.parse("basic " + Base64.getEncoder().encodeToString(
                "jürgen:pa:ss wörd".getBytes(StandardCharsets.UTF_8)));
        assertEquals("jürgen", credentials.user());
        assertEquals("pa:ss wörd", new String(credentials.password(), StandardCharsets.UTF_8), "a colon may be in the password");
        assertNull(Authorizer.Credentials.parse("Basic !!!"));
        assertNull(Authorizer.Credentials.parse("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes())));
        assertNull(Authorizer.Credentials.parse("Basic"));
    }
}
