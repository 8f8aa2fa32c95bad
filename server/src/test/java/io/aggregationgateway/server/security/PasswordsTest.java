package io.aggregationgateway.server.security;

import io.aggregationgateway.testsupport.Htpasswd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bcrypt hashes made by htpasswd, the remembered matches, and what forgets them. */
class PasswordsTest {
    private static String alice;
    private static String aliceAgain;
    private static String bob;

    @BeforeAll
    static void hashes() throws Exception {
        alice = Htpasswd.bcrypt("alice", "wonderland");
        aliceAgain = Htpasswd.bcrypt("alice", "looking-glass");
        bob = Htpasswd.bcrypt("bob", "builder");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void htpasswdHashesVerify() {
        Passwords passwords = Passwords.of(Map.of("alice", alice, "bob", bob));
        assertTrue(passwords.matches("alice", bytes("wonderland")));
        assertTrue(passwords.matches("bob", bytes("builder")));
        assertFalse(passwords.matches("alice", bytes("builder")), "another user's password");
        assertFalse(passwords.matches("carol", bytes("wonderland")), "an unknown user");
        assertFalse(passwords.matches("alice", bytes("")));
    }

    @Test
    void aMatchIsRememberedOncePerUserAndOnlyTheRightPasswordHitsIt() {
        Passwords passwords = Passwords.of(Map.of("alice", alice));
        assertEquals(0, passwords.remembered());
        assertTrue(passwords.matches("alice", bytes("wonderland")));
        assertTrue(passwords.matches("alice", bytes("wonderland")));
        assertEquals(1, passwords.remembered());
        assertFalse(passwords.matches("alice", bytes("wonderlanD")), "a remembered user with a wrong password");
        assertFalse(passwords.matches("nobody", bytes("x")));
        assertEquals(1, passwords.remembered(), "failures and unknown users leave nothing behind");
    }

    @Test
    void aChangedHashOrARemovedUserForgetsTheRememberedPassword() {
        Passwords before = Passwords.of(Map.of("alice", alice, "bob", bob));
        assertTrue(before.matches("alice", bytes("wonderland")));
        assertTrue(before.matches("bob", bytes("builder")));

        Passwords changed = before.reloaded(Map.of("alice", aliceAgain, "bob", bob));
        assertEquals(1, changed.remembered(), "bob's hash stayed, alice's changed");
        assertFalse(changed.matches("alice", bytes("wonderland")), "the old password no longer works");
        assertTrue(changed.matches("alice", bytes("looking-glass")));

        Passwords removed = changed.reloaded(Map.of("alice", aliceAgain));
        assertFalse(removed.matches("bob", bytes("builder")), "a removed user is gone at once");
        assertFalse(removed.hasUser("bob"));
    }

    @Test
    void aFileWithoutUsersMatchesNobodyAndAReadWithUsersLaterWorksAsAtStart() {
        Passwords none = Passwords.of(Map.of());
        assertFalse(none.matches("alice", bytes("wonderland")));
        assertEquals(0, none.verifications(), "nothing to verify against: no bcrypt run");

        Passwords later = none.reloaded(Map.of("alice", alice));
        assertTrue(later.matches("alice", bytes("wonderland")));
        assertTrue(later.matches("alice", bytes("wonderland")));
        assertEquals(1, later.verifications(), "the second request found the password remembered");
        assertFalse(later.matches("carol", bytes("wonderland")), "an unknown user, against the decoy");
        assertEquals(10, later.decoyCost());

        Passwords emptyAgain = later.reloaded(Map.of());
        assertFalse(emptyAgain.matches("alice", bytes("wonderland")), "a removed user is gone at once");
        assertTrue(emptyAgain.reloaded(Map.of("alice", alice)).matches("alice", bytes("wonderland")));
    }

    @Test
    void unknownUsersPayForAHashOfTheHighestCost() throws Exception {
        String cost12 = "$2y$12$" + alice.substring(7); // same salt and digest, higher cost: only its cost matters here
        assertEquals(10, Passwords.of(Map.of("alice", alice)).decoyCost());
        assertEquals(12, Passwords.of(Map.of("alice", alice, "bob", cost12)).decoyCost());
        assertEquals(4, Passwords.of(Map.of()).decoyCost(), "no users: the lowest cost, never used");
    }

    @Test
    void manyFirstRequestsAtOnceWithTheRightPasswordPayForOneVerification() throws Exception {
        Passwords passwords = Passwords.of(Map.of("alice", alice));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CyclicBarrier start = new CyclicBarrier(8);
            List<Future<Boolean>> checks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                checks.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return passwords.matches("alice", bytes("wonderland"));
                }));
            }
            for (Future<Boolean> check : checks) {
                assertTrue(check.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, passwords.verifications(), "the seven that waited found the password remembered");
        assertFalse(passwords.matches("alice", bytes("wrong")));
        assertEquals(2, passwords.verifications(), "a wrong password still pays its own");
    }
}
