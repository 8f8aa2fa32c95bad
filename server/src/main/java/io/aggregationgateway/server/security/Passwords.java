package io.aggregationgateway.server.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.IllegalBCryptFormatException;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Checks user names and passwords against the bcrypt hashes of {@code basic_auth_users}.
 *
 * <p>bcrypt costs tens of milliseconds by design, far more than a push, so a password once
 * verified is remembered: per user, a keyed digest (HMAC-SHA256 under a random key of this
 * process) of the password that matched that user's hash. Later requests compare their
 * password's digest with it in constant time ({@link MessageDigest#isEqual}) and skip bcrypt.
 * The memory is bounded by the number of users (one entry each), holds no password, and forgets
 * a user whose hash changes or who is removed when the file is re-read.
 *
 * <p>Everything that is not a remembered match pays one bcrypt verification: a wrong password,
 * and an unknown user too, whose password is checked against a decoy hash of the highest cost
 * among the users, so that timing tells no user names apart. Verifications run one at a time
 * (as in exporter-toolkit), so guessing passwords occupies at most one core while remembered
 * users go on at full speed; one that waited its turn looks at the remembered password again, so
 * a client's first requests on several connections at once pay for one verification, not one each.
 *
 * <p>Without users nothing of this is set up (no key, no decoy, not even the bcrypt library's
 * classes): most gateways have no users, and it cost a tenth of their startup.
 */
final class Passwords {
    /** Holds what bcrypt needs, so that a gateway without users never loads it. */
    private static final class Bcrypt {
        static final BCrypt.Verifyer VERIFYER = BCrypt.verifyer(BCrypt.Version.VERSION_2Y,
                LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y)); // as htpasswd: bytes past 72 do not count
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private final Map<String, byte[]> hashes;
    private final byte[] decoy;
    private final int decoyCost;
    private final byte[] digestKey;
    // keyed once; each digest works on a clone, which skips the provider lookup Mac.getInstance costs per call
    private final Mac keyedMac;
    private final ReentrantLock bcryptTurn;
    private final ConcurrentHashMap<String, Remembered> remembered = new ConcurrentHashMap<>();
    private final AtomicLong verifications;

    /** The digest of a password that matched {@code hash}. */
    private record Remembered(String hash, byte[] digest) {
    }

    private Passwords(Map<String, String> users, byte[] digestKey, ReentrantLock bcryptTurn, AtomicLong verifications,
                      Passwords previous) {
        Map<String, byte[]> byUser = new HashMap<>();
        int cost = BCrypt.MIN_COST;
        for (Map.Entry<String, String> user : users.entrySet()) {
            byte[] hash = user.getValue().getBytes(StandardCharsets.US_ASCII);
            byUser.put(user.getKey(), hash);
            cost = Math.max(cost, parse(hash).cost);
        }
        this.hashes = Map.copyOf(byUser);
        this.bcryptTurn = bcryptTurn;
        this.verifications = verifications;
        this.decoyCost = cost;
        if (hashes.isEmpty()) {
            this.digestKey = digestKey; // null until a version of the file has users
            this.keyedMac = null;
            this.decoy = null;
            return;
        }
        this.digestKey = digestKey == null ? newDigestKey() : digestKey;
        this.keyedMac = keyedMac(this.digestKey);
        if (previous != null && previous.decoy != null && previous.decoyCost == cost) {
            this.decoy = previous.decoy;
        } else {
            byte[] password = new byte[16];
            Bcrypt.RANDOM.nextBytes(password);
            this.decoy = BCrypt.with(BCrypt.Version.VERSION_2Y).hash(cost, password);
        }
        if (previous != null) {
            previous.remembered.forEach((user, entry) -> {
                if (entry.hash().equals(users.get(user))) {
                    remembered.put(user, entry);
                }
            });
        }
    }

    /** @param users user name → bcrypt hash, each checked with {@link #problemWithHash} */
    static Passwords of(Map<String, String> users) {
        return new Passwords(users, null, new ReentrantLock(), new AtomicLong(), null);
    }

    private static byte[] newDigestKey() {
        byte[] key = new byte[32];
        Bcrypt.RANDOM.nextBytes(key);
        return key;
    }

    /** For a re-read file: the same digest key and bcrypt turn, remembering the users whose hash stayed. */
    Passwords reloaded(Map<String, String> users) {
        return new Passwords(users, digestKey, bcryptTurn, verifications, this);
    }

    boolean anyUsers() {
        return !hashes.isEmpty();
    }

    boolean hasUser(String user) {
        return hashes.containsKey(user);
    }

    /** Why {@code hash} is not a bcrypt hash this class can check, or empty when it is one. */
    static Optional<String> problemWithHash(String hash) {
        if (!hash.startsWith("$2")) {
            return Optional.of("not a bcrypt hash (expected $2y$, $2b$ or $2a$ followed by the cost, as htpasswd -B writes it)");
        }
        try {
            BCrypt.Version.VERSION_2A.parser.parse(hash.getBytes(StandardCharsets.US_ASCII));
            return Optional.empty();
        } catch (IllegalBCryptFormatException | IllegalArgumentException e) {
            return Optional.of("not a valid bcrypt hash: " + e.getMessage());
        }
    }

    /** Whether {@code password} is that of {@code user}. */
    boolean matches(String user, byte[] password) {
        if (hashes.isEmpty()) {
            return false; // no user to match, and none to tell apart by timing
        }
        byte[] hash = hashes.get(user);
        byte[] digest = digest(user, password);
        Remembered known = hash == null ? null : remembered.get(user);
        if (known != null && MessageDigest.isEqual(known.digest(), digest)) {
            return true;
        }
        boolean verified;
        bcryptTurn.lock();
        try {
            // Requests that waited for their turn with the same password (a client's first requests on
            // several connections at once) find it remembered by the one before them: one bcrypt for all.
            known = hash == null ? null : remembered.get(user);
            if (known != null && MessageDigest.isEqual(known.digest(), digest)) {
                return true;
            }
            verifications.incrementAndGet();
            verified = Bcrypt.VERIFYER.verify(password, hash == null ? decoy : hash).verified && hash != null;
            if (verified) {
                remembered.put(user, new Remembered(new String(hash, StandardCharsets.US_ASCII), digest));
            }
        } finally {
            bcryptTurn.unlock();
        }
        return verified;
    }

    /** The cost of the decoy hash unknown users are checked against: the highest of the users' hashes. */
    int decoyCost() {
        return decoyCost;
    }

    /** How many bcrypt verifications ran, since the first version of the file. */
    long verifications() {
        return verifications.get();
    }

    /** How many verified passwords are remembered (at most one per user). */
    int remembered() {
        return remembered.size();
    }

    private byte[] digest(String user, byte[] password) {
        Mac mac;
        try {
            mac = (Mac) keyedMac.clone();
        } catch (CloneNotSupportedException e) {
            mac = keyedMac(digestKey);
        }
        byte[] name = user.getBytes(StandardCharsets.UTF_8);
        mac.update(new byte[] {(byte) (name.length >>> 24), (byte) (name.length >>> 16), (byte) (name.length >>> 8),
                (byte) name.length});
        mac.update(name);
        return mac.doFinal(password);
    }

    private static Mac keyedMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    private static BCrypt.HashData parse(byte[] hash) {
        try {
            return BCrypt.Version.VERSION_2A.parser.parse(hash);
        } catch (IllegalBCryptFormatException e) {
            throw new IllegalArgumentException("not a bcrypt hash: " + e.getMessage(), e);
        }
    }
}
