package io.aggregationgateway.server.security;

import io.aggregationgateway.server.config.ConfigException;
import io.aggregationgateway.server.config.SecuritySettings;
import io.grpc.ServerInterceptor;
import io.helidon.common.tls.Tls;
import io.helidon.http.HttpException;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * TLS, users and roles, and push rate limits for one gateway: set up from the
 * {@link SecuritySettings} and the web config file, and kept up to date with that file. The file
 * (and the certificate, key and CA files it names) is read again when any of them changes, looked
 * at every {@link #POLL_SECONDS} seconds, or on {@link #reload()} (SIGHUP); a new version that
 * cannot be used is logged and the one in force stays.
 *
 * <p>Wire it in with {@link #configure(WebServerConfig.Builder)} (TLS on the listener),
 * {@link #register(HttpRouting.Builder, RefusedPushes)} (before every HTTP route) and
 * {@link #grpcInterceptor(RefusedPushes)}.
 */
public final class Security implements AutoCloseable {
    /** How often the web config file and the files it names are looked at for changes. */
    static final int POLL_SECONDS = 3;
    private static final Logger LOG = Logger.getLogger(Security.class.getName());

    private final Optional<Path> file;
    private final Map<String, Set<Role>> userRoles;
    private final ClientAddresses clients;
    private final PushRateLimiter limiter;
    private final double pushRate;
    private volatile Active active;
    private String lastProblem;
    private final ScheduledExecutorService watcher;

    /**
     * What is in force now, swapped whole when the file is re-read.
     *
     * @param snapshot   the files it came from; {@code null} without a web config file
     * @param authorizer users, roles and what is open
     * @param headers    set on every HTTP response
     * @param tls        the server's TLS; {@code null} for plain HTTP
     */
    record Active(WebConfigSnapshot snapshot, Authorizer authorizer, Map<String, String> headers, ServerTls tls) {
    }

    private Security(SecuritySettings settings, Map<String, Set<Role>> userRoles, ClientAddresses clients,
                     PushRateLimiter limiter, Active active) {
        this.file = settings.webConfigFile();
        this.userRoles = userRoles;
        this.clients = clients;
        this.limiter = limiter;
        this.pushRate = settings.pushRateLimit();
        this.active = active;
        if (file.isPresent()) {
            watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "web-config-watcher");
                thread.setDaemon(true);
                return thread;
            });
            watcher.scheduleWithFixedDelay(() -> reload(false), POLL_SECONDS, POLL_SECONDS, TimeUnit.SECONDS);
        } else {
            watcher = null;
        }
    }

    /**
     * Reads the web config file and checks every setting.
     *
     * @throws ConfigException naming the file and key, or the flag, that is wrong
     */
    public static Security start(SecuritySettings settings) throws ConfigException {
        List<Cidr> proxies = new ArrayList<>();
        for (String proxy : settings.trustedProxies()) {
            try {
                proxies.add(Cidr.parse(proxy));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--trusted-proxy " + e.getMessage());
            }
        }
        PushRateLimiter limiter = null;
        if (settings.pushRateLimit() > 0) {
            int burst = settings.pushRateBurst() > 0 ? settings.pushRateBurst()
                    : PushRateLimiter.defaultBurst(settings.pushRateLimit());
            limiter = new PushRateLimiter(settings.pushRateLimit(), burst, PushRateLimiter.DEFAULT_CAPACITY, System::nanoTime);
        } else if (settings.pushRateBurst() > 0) {
            throw new ConfigException("--push-rate-burst needs --push-rate-limit");
        }
        Map<String, Set<Role>> roles = new LinkedHashMap<>();
        settings.userRoles().forEach((user, names) -> {
            Set<Role> set = EnumSet.noneOf(Role.class);
            names.forEach(name -> set.add(Role.named(name)));
            roles.put(user, set);
        });
        WebConfigSnapshot snapshot = null;
        Passwords passwords = Passwords.of(Map.of());
        Map<String, String> headers = Map.of();
        ServerTls tls = null;
        if (settings.webConfigFile().isPresent()) {
            snapshot = WebConfigSnapshot.read(settings.webConfigFile().get());
            passwords = Passwords.of(snapshot.config().users());
            headers = snapshot.config().headers();
            tls = snapshot.config().tls().isPresent() ? ServerTls.create(snapshot) : null;
        }
        for (String user : roles.keySet()) {
            if (!passwords.hasUser(user)) {
                throw new ConfigException("--user-roles names user \"" + user + "\", who is not in basic_auth_users"
                        + settings.webConfigFile().map(f -> " of web config file " + f).orElse(" (no --web-config-file)"));
            }
        }
        Active active = new Active(snapshot, new Authorizer(passwords, roles, settings.publicPush(), settings.publicRead()),
                headers, tls);
        Security security = new Security(settings, Map.copyOf(roles), new ClientAddresses(proxies), limiter, active);
        security.logInForce(active, "read");
        return security;
    }

    /** Turns TLS on for the listener when the web config file has a {@code tls_server_config}. */
    public void configure(WebServerConfig.Builder server) {
        if (active.tls() != null) {
            server.tls(Tls.builder().sslContext(new ReloadableSslContext(() -> active.tls())).build());
        }
    }

    /**
     * Puts the guard before every HTTP route, and words the errors Helidon raises while routing
     * (no such route, a method a route does not take) as every refusal of the gateway is worded.
     */
    public void register(HttpRouting.Builder routing, RefusedPushes refused) {
        routing.addFilter(new HttpGuard(this, refused))
                .error(HttpException.class, HttpGuard::routingError);
    }

    /** The guard of the gRPC services: register it with {@code GrpcRouting.builder().intercept(...)}. */
    public ServerInterceptor grpcInterceptor(RefusedPushes refused) {
        return new GrpcGuard(this, refused);
    }

    /** Whether the listener serves TLS. */
    public boolean tls() {
        return active.tls() != null;
    }

    /**
     * Reads the web config file again now, as on SIGHUP.
     *
     * @return whether a new version is in force
     */
    public boolean reload() {
        return reload(true);
    }

    private synchronized boolean reload(boolean asked) {
        if (file.isEmpty()) {
            return false;
        }
        Active current = active;
        WebConfigSnapshot next;
        try {
            next = WebConfigSnapshot.read(file.get());
            if (next.sameFilesAs(current.snapshot())) {
                if (asked) {
                    LOG.info(() -> "web config file " + file.get() + " and the files it names are unchanged");
                }
                return false;
            }
            if (next.config().tls().isPresent() != (current.tls() != null)) {
                throw WebConfigParser.error(file.get(), current.tls() != null
                        ? "it no longer sets up TLS, but the gateway serves TLS: turning TLS off takes a restart"
                        : "it now sets up TLS, but the gateway serves plain HTTP: turning TLS on takes a restart");
            }
            ServerTls tls = current.tls() == null ? null : ServerTls.create(next);
            Passwords passwords = current.authorizer().passwords().reloaded(next.config().users());
            Active replacement = new Active(next, current.authorizer().withPasswords(passwords), next.config().headers(), tls);
            active = replacement;
            lastProblem = null;
            for (String user : userRoles.keySet()) {
                if (!passwords.hasUser(user)) {
                    LOG.warning(() -> "--user-roles names user \"" + user + "\", who is no longer in basic_auth_users of " + file.get());
                }
            }
            logInForce(replacement, "re-read");
            return true;
        } catch (ConfigException | RuntimeException e) {
            String problem = e.getMessage();
            if (asked || !problem.equals(lastProblem)) {
                LOG.warning(() -> "keeping the web config in force: " + problem);
            }
            lastProblem = problem;
            return false;
        }
    }

    private void logInForce(Active in, String how) {
        if (in.snapshot() == null) {
            return;
        }
        int users = in.snapshot().config().users().size();
        LOG.log(Level.INFO, () -> how + " web config file " + file.orElseThrow() + " (SHA-256 "
                + HexFormat.of().formatHex(in.snapshot().fingerprint()).substring(0, 12) + "): "
                + (in.tls() == null ? "plain HTTP" : "TLS with " + in.tls().summary()) + "; "
                + (users == 0 ? "no basic_auth_users, so every route is open" : users + " basic_auth_users"));
    }

    Active active() {
        return active;
    }

    boolean limitsPushes() {
        return limiter != null;
    }

    boolean readsForwardedFor() {
        return clients.trustsAnyProxy();
    }

    String client(InetAddress peer, List<String> forwardedFors) {
        return clients.client(peer, forwardedFors);
    }

    /** Takes a token of {@code client}'s push rate; {@code null} when the push may go on. */
    Verdict throttle(String client) {
        long waitNanos = limiter.acquire(client);
        if (waitNanos == 0) {
            return null;
        }
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        return new Verdict.Throttled(client, seconds, "push rate limit exceeded for client " + client + ": at most "
                + rate(pushRate) + " pushes per second (--push-rate-limit); retry in " + seconds + " s");
    }

    private static String rate(double rate) {
        return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
