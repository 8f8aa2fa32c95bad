package io.aggregationgateway.client;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

import javax.net.ssl.X509TrustManager;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Configures a {@link PushClient}; obtained from {@link PushClient#builder()}. Only
 * {@link #target(String)} and {@link #job(String)} are required; what is pushed is client_java
 * 1.x's {@link PrometheusRegistry#defaultRegistry} unless {@link #registry} or {@link #source}
 * says otherwise.
 *
 * <p>A builder is not thread-safe; the client it builds is. Invalid values are refused with an
 * {@link IllegalArgumentException} when set, contradicting ones when {@link #build()} is called.
 */
public final class PushClientBuilder {
    /** Headers the transports set themselves; setting them too would contradict the request. */
    private static final Set<String> RESERVED_HEADERS = Set.of("content-type", "content-length", "content-encoding",
            "host", "connection", "keep-alive", "proxy-connection", "expect", "upgrade", "transfer-encoding", "te",
            "user-agent");

    private MetricsSource source;
    private String target;
    private Transport transport = Transport.GRPC;
    private String job;
    private final Map<String, String> groupingLabels = new LinkedHashMap<>();
    private String sourceLabel; // the grouping label that names this client as a source, or null
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Boolean tls;
    private X509TrustManager trustManager;
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private Consumer<? super PushException> periodicFailureHandler = PushClientBuilder::logPeriodicFailure;

    PushClientBuilder() {
    }

    /**
     * The client_java 1.x ({@code io.prometheus:prometheus-metrics-core}) registry to push, as
     * increments of its running totals (see {@link MetricsSource}). Default
     * {@link PrometheusRegistry#defaultRegistry}. Replaces a {@link #source} set before.
     *
     * <p>Histograms go with their classic buckets and, when they have them (client_java's
     * default), their native buckets too; the gateway merges both parts. Counter {@code x} goes
     * as {@code x_total}; created timestamps and exemplars are not sent.
     *
     * @param registry the registry, scraped on every push
     * @return this builder
     */
    public PushClientBuilder registry(PrometheusRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        this.source = PrometheusRegistryConverter.source(registry);
        return this;
    }

    /**
     * What to push, when it is not a client_java 1.x registry: a simpleclient registry through
     * {@link CollectorRegistrySource#of}, or families of your own through
     * {@link MetricsSource#ofRunningTotals} or {@link MetricsSource#ofIncrements}. Replaces a
     * {@link #registry} set before.
     *
     * @param source the source, collected on every push
     * @return this builder
     */
    public PushClientBuilder source(MetricsSource source) {
        this.source = Objects.requireNonNull(source, "source");
        return this;
    }

    /**
     * Where the gateway is: {@code host:port} (for example {@code localhost:8080},
     * {@code [::1]:8080}) or a URL {@code http://host[:port][/path]} or {@code https://...}. A URL's
     * scheme sets TLS; a path (HTTP transports only) is put before {@code /metrics/...}, for a
     * gateway behind a reverse proxy. Required.
     *
     * @param target the gateway's address
     * @return this builder
     */
    public PushClientBuilder target(String target) {
        this.target = Objects.requireNonNull(target, "target");
        return this;
    }

    /**
     * How pushes are sent. Default {@link Transport#GRPC}.
     *
     * @param transport the transport
     * @return this builder
     */
    public PushClientBuilder transport(Transport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
        return this;
    }

    /**
     * The {@code job} grouping label, added to every series pushed (and replacing a {@code job}
     * label the series may have). Required.
     *
     * @param job the job name, not empty
     * @return this builder
     */
    public PushClientBuilder job(String job) {
        Objects.requireNonNull(job, "job");
        if (job.isEmpty()) {
            throw new IllegalArgumentException("job must not be empty");
        }
        this.job = job;
        return this;
    }

    /**
     * Another grouping label, added to every series pushed (replacing a label of the same name
     * the series may have), like the {@code /<label>/<value>} parts of a Pushgateway path.
     * Setting the same name again replaces the value.
     *
     * @param name  a label name ({@code [a-zA-Z_][a-zA-Z0-9_]*}, not starting with {@code __}, not {@code job})
     * @param value the value; may contain any character, {@code /} included
     * @return this builder
     */
    public PushClientBuilder groupingLabel(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.equals("job")) {
            throw new IllegalArgumentException("set the job with job(...)");
        }
        if (!isValidLabelName(name)) {
            throw new IllegalArgumentException("invalid grouping label name \"" + name
                    + "\": expected [a-zA-Z_][a-zA-Z0-9_]*, not starting with __");
        }
        groupingLabels.put(name, value);
        return this;
    }

    /**
     * Pushes the running totals as they are, as a <em>source</em> of the gateway, instead of the
     * increments since the last push (the default). Adds the grouping label {@code name=value},
     * which names this client's process among the gateway's sources; the gateway must run with
     * {@code --source-label name} (and every other {@code --source-label} it has must be among the
     * grouping labels too), and then keeps each source's last totals and adds only what grew.
     *
     * <p>Such a push is idempotent: sending it twice adds nothing more. So timeouts are retried as
     * well (the increments mode cannot retry them: the gateway may have applied the push, and a
     * second copy would be added), and a client that restarts with the same value is recognised as
     * restarted, its totals counted afresh. HTTP pushes go as {@code PUT}, gRPC pushes with
     * {@code replace}: series the source no longer has are forgotten (their gauge values leave the
     * sums; what they counted stays). {@link PushClient#delete()} then forgets the source.
     *
     * <p>The value must stay the same for the process's life and differ between processes pushing
     * at once (a pod name, host and port); only sources of running totals (a registry,
     * {@link MetricsSource#ofRunningTotals}) can be pushed this way.
     *
     * @param name  a label name the gateway has as {@code --source-label}, often {@code instance}
     * @param value the value naming this process, not empty
     * @return this builder
     */
    public PushClientBuilder sourceLabel(String name, String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("the source label's value must not be empty: an empty label is no label");
        }
        groupingLabel(name, value);
        this.sourceLabel = name;
        return this;
    }

    /**
     * A header sent with every push, for example {@code Authorization} for a gateway behind an
     * authenticating proxy: an HTTP header for the HTTP transports, request metadata (lower-cased
     * name) for gRPC. Setting the same name again replaces the value.
     *
     * @param name  the header name; not one the transport sets itself ({@code Content-Type},
     *              {@code Host}, {@code User-Agent}, ...)
     * @param value the value, without line breaks
     * @return this builder
     */
    public PushClientBuilder header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        String lower = name.toLowerCase(Locale.ROOT);
        if (!isToken(name) || RESERVED_HEADERS.contains(lower) || lower.startsWith("grpc-") || lower.endsWith("-bin")) {
            throw new IllegalArgumentException("header name \"" + name + "\" is not allowed: it must be an HTTP token,"
                    + " not one the transports set themselves, not grpc-* and not *-bin");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + name + ": the value must not contain line breaks");
        }
        headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
        headers.put(name, value);
        return this;
    }

    /**
     * How long to wait for a connection to the gateway. Default 5 seconds.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public PushClientBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = positive(timeout, "connectTimeout");
        return this;
    }

    /**
     * How long one push attempt may take, answer included. Default 10 seconds. An attempt that
     * times out is not retried: the gateway may have applied it.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public PushClientBuilder requestTimeout(Duration timeout) {
        this.requestTimeout = positive(timeout, "requestTimeout");
        return this;
    }

    /**
     * Whether to use TLS ({@code https}, or gRPC over TLS). Default: off for {@code host:port},
     * as the scheme says for a URL (contradicting the scheme is an error).
     *
     * @param tls whether to use TLS
     * @return this builder
     */
    public PushClientBuilder tls(boolean tls) {
        this.tls = tls;
        return this;
    }

    /**
     * The trust manager that decides which server certificates to accept over TLS, for a gateway
     * whose certificate the JDK's default trust store does not cover (a private CA). Requires TLS.
     *
     * @param trustManager the trust manager
     * @return this builder
     */
    public PushClientBuilder trustManager(X509TrustManager trustManager) {
        this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
        return this;
    }

    /**
     * How many attempts a push may take in all, the first one included. Default 3; 1 disables
     * retries. Only transient failures are retried: the connection failed or broke, gRPC
     * {@code UNAVAILABLE}, HTTP 5xx.
     *
     * @param maxAttempts at least 1
     * @return this builder
     */
    public PushClientBuilder maxAttempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        return this;
    }

    /**
     * The pause before the first retry; it doubles for each further retry up to
     * {@link #maxBackoff(Duration)}. Each pause is drawn at random between half and all of
     * that, so that many senders do not retry in step. Default 100 ms.
     *
     * @param backoff zero or positive
     * @return this builder
     */
    public PushClientBuilder initialBackoff(Duration backoff) {
        this.initialBackoff = notNegative(backoff, "initialBackoff");
        return this;
    }

    /**
     * The longest pause between two attempts. Default 5 seconds.
     *
     * @param backoff zero or positive, not shorter than the initial backoff
     * @return this builder
     */
    public PushClientBuilder maxBackoff(Duration backoff) {
        this.maxBackoff = notNegative(backoff, "maxBackoff");
        return this;
    }

    /**
     * What to do when a periodic push (see {@link PushClient#startPeriodicPush}) fails; the
     * schedule goes on either way. Called on the client's background thread. Default: a
     * warning through {@link System.Logger} (the JDK's logging facade, which goes to
     * {@code java.util.logging} unless your application routes it elsewhere).
     *
     * @param handler receives each failure
     * @return this builder
     */
    public PushClientBuilder onPeriodicPushFailure(Consumer<? super PushException> handler) {
        this.periodicFailureHandler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /**
     * Builds the client. For gRPC this sets up the channel, which connects on the first push.
     *
     * @return a new client; close it when done
     * @throws IllegalStateException    if the target or the job is missing, or the transport is
     *                                  {@link Transport#HTTP_TEXT} and simpleclient_common is not on the class path
     * @throws IllegalArgumentException if the target is malformed or settings contradict each other (a
     *                                  source of increments with {@link #sourceLabel})
     */
    public PushClient build() {
        if (target == null) {
            throw new IllegalStateException("the gateway's address is missing: call target(\"host:port\")");
        }
        if (job == null) {
            throw new IllegalStateException("the job is missing: call job(\"...\")");
        }
        if (transport == Transport.HTTP_TEXT) {
            TextFormatWriter.requireLibrary();
        }
        Target parsed = Target.parse(target, tls);
        if (transport == Transport.GRPC && !parsed.basePath().isEmpty()) {
            throw new IllegalArgumentException("target \"" + target + "\" has a path, which gRPC cannot use;"
                    + " use an HTTP transport behind a path prefix");
        }
        if (trustManager != null && !parsed.tls()) {
            throw new IllegalArgumentException("a trust manager was set but TLS is off: call tls(true) or use an https URL");
        }
        Map<String, String> grouping = new LinkedHashMap<>();
        grouping.put("job", job);
        grouping.putAll(groupingLabels);
        MetricsSource pushed = source != null ? source : PrometheusRegistryConverter.source(PrometheusRegistry.defaultRegistry);
        boolean runningTotals = sourceLabel != null;
        if (runningTotals && !pushed.isRunningTotals()) {
            throw new IllegalArgumentException("sourceLabel(" + sourceLabel + ", ...) pushes running totals, but the source"
                    + " gives increments (MetricsSource.ofIncrements): push those without a source label");
        }
        if (runningTotals && groupingLabels.get(sourceLabel).isEmpty()) {
            throw new IllegalArgumentException("groupingLabel(" + sourceLabel + ", \"\") took away the source label"
                    + " sourceLabel(...) set: an empty label is no label");
        }
        ClientSettings settings = new ClientSettings(pushed, parsed, transport, Collections.unmodifiableMap(grouping),
                Collections.unmodifiableMap(new LinkedHashMap<>(headers)),
                connectTimeout, requestTimeout, new RetryPolicy(maxAttempts, initialBackoff, maxBackoff),
                trustManager, periodicFailureHandler, runningTotals);
        return new PushClient(settings);
    }

    private static void logPeriodicFailure(PushException e) {
        System.getLogger(PushClient.class.getName()).log(System.Logger.Level.WARNING, "periodic push failed: " + e.getMessage(), e);
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }

    private static Duration notNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + d);
        }
        return d;
    }

    static boolean isValidLabelName(String name) {
        if (name.isEmpty() || name.startsWith("__")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 token: the characters a header name may have. */
    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
