package io.aggregationgateway.server;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.EngineSettings;
import io.aggregationgateway.server.aggregate.FamilyRules;
import io.aggregationgateway.server.aggregate.MetricAllowRules;
import io.aggregationgateway.server.aggregate.SourceSettings;
import io.aggregationgateway.server.config.ConfigException;
import io.aggregationgateway.server.config.GatewayConfig;
import io.aggregationgateway.server.connection.ConnectionFrontDoor;
import io.aggregationgateway.server.connection.ConnectionSettings;
import io.aggregationgateway.server.connection.ConnectionWatchdog;
import io.aggregationgateway.server.connection.DescriptorBudget;
import io.aggregationgateway.server.expose.RenderWorkers;
import io.aggregationgateway.server.grpc.GrpcServices;
import io.aggregationgateway.server.grpc.Http2Connections;
import io.aggregationgateway.server.grpc.PushService;
import io.aggregationgateway.server.http.HttpSettings;
import io.aggregationgateway.server.http.Routes;
import io.aggregationgateway.server.lifecycle.LifecycleScheduler;
import io.aggregationgateway.server.security.Security;
import io.aggregationgateway.server.persist.Persistence;
import io.aggregationgateway.server.persist.PersistenceSettings;
import io.aggregationgateway.server.persist.PersistenceStats;
import io.aggregationgateway.server.persist.SnapshotLoadException;
import io.aggregationgateway.server.selfmetrics.GatewayMetrics;
import io.aggregationgateway.server.selfmetrics.PushRates;
import io.aggregationgateway.server.selfmetrics.SnapshotCounts;
import io.aggregationgateway.server.selfmetrics.SourceCounts;
import io.aggregationgateway.server.status.BuildInfo;
import io.aggregationgateway.server.status.PersistenceSection;
import io.aggregationgateway.server.status.Section;
import io.aggregationgateway.server.status.StatusReporter;
import io.aggregationgateway.server.status.StatusRoutes;
import io.aggregationgateway.server.status.SourcesSection;
import io.helidon.common.Size;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.http2.Http2Config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** A running gateway: the engine, its lifecycle, its own metrics, and one web server for HTTP and gRPC. */
public final class Gateway implements AutoCloseable {
    /** How long stopping waits for in-flight requests. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final Aggregator aggregator;
    private final LifecycleScheduler lifecycle;
    private final RenderWorkers renderWorkers;
    private final PushRates rates;
    private final GrpcServices grpcServices;
    private final ConnectionWatchdog watchdog;
    private final Security security;
    private final WebServer server;
    private final Optional<Persistence> persistence;

    private Gateway(Aggregator aggregator, LifecycleScheduler lifecycle, RenderWorkers renderWorkers, PushRates rates,
                    GrpcServices grpcServices, ConnectionWatchdog watchdog, Security security, WebServer server,
                    Optional<Persistence> persistence) {
        this.persistence = persistence;
        this.aggregator = aggregator;
        this.lifecycle = lifecycle;
        this.renderWorkers = renderWorkers;
        this.rates = rates;
        this.grpcServices = grpcServices;
        this.watchdog = watchdog;
        this.security = security;
        this.server = server;
    }

    /**
     * Loads the snapshot file (if one is configured) and starts serving.
     *
     * @throws ConfigException when the web config file, or a security flag, cannot be used
     * @throws SnapshotLoadException when the snapshot file exists but cannot be loaded; nothing was started
     * @throws PortUnavailableException when the port cannot be opened; nothing is left running
     */
    public static Gateway start(GatewayConfig config) throws ConfigException, SnapshotLoadException {
        startSizeParsingAhead();
        checkPortFree(config.host(), config.port());
        Security security = Security.start(config.security());
        try {
            return start(config, security);
        } catch (RuntimeException | SnapshotLoadException e) {
            security.close();
            throw e;
        }
    }

    private static Gateway start(GatewayConfig config, Security security) throws SnapshotLoadException {
        HelidonRegistry.install(); // before any Helidon component asks for its registry
        Clock clock = Clock.systemUTC();
        Instant startedAt = clock.instant();
        SourceSettings sources = new SourceSettings(config.sourceLabels(), config.sourceTtl(), config.maxSourceSeries());
        Aggregator aggregator = new Aggregator(new EngineSettings(GatewayMetrics.PREFIX, config.maxSeries(),
                config.maxLabelsPerSeries(), config.maxLabelValueBytes(), config.seriesTtl(), config.maxStoreBytes()),
                config.gaugeModes(), sources, familyRules(config), clock::millis);
        Optional<PersistenceSettings> persistenceSettings = config.persistenceFile().map(file ->
                new PersistenceSettings(file, config.persistenceInterval(), config.persistenceIgnoreInvalid()));
        // before the port opens: the first push must land on the loaded state
        Optional<Persistence.Loaded> loaded = persistenceSettings.isPresent()
                ? Persistence.load(persistenceSettings.get(), aggregator) : Optional.empty();
        LifecycleScheduler lifecycle = new LifecycleScheduler(aggregator, config.resetSchedule(), config.seriesTtl(),
                sources.enabled() ? config.sourceTtl() : Duration.ZERO, clock,
                loaded.map(l -> new LifecycleScheduler.Restored(l.takenAt(), l.lastReset())));
        BuildInfo build = BuildInfo.current();
        Optional<Persistence> persistence = persistenceSettings.map(settings ->
                new Persistence(settings, aggregator, lifecycle::lastReset, "aggregation-gateway " + build.version(), clock));
        GatewayMetrics metrics = new GatewayMetrics(aggregator::familyCount, aggregator::seriesCount, aggregator::storeBytes,
                lifecycle::lastReset, lifecycle::nextReset, clock, sources.enabled() ? () -> new SourceCounts(
                        aggregator.liveSources(), aggregator.sourceStates(), aggregator.sourceExpiries(),
                        aggregator.sourceRestarts()) : null,
                persistence.<Supplier<SnapshotCounts>>map(p -> () -> snapshotCounts(p.stats())).orElse(null));
        PushRates rates = new PushRates(clock, metrics::counts).start();
        List<Supplier<Section>> featureSections = new ArrayList<>();
        if (sources.enabled()) {
            featureSections.addAll(SourcesSection.of(aggregator, sources));
        }
        persistence.ifPresent(p -> featureSections.add(PersistenceSection.of(p, loaded)));
        StatusReporter status = new StatusReporter(build, clock, startedAt, config.settings(), aggregator,
                metrics, rates, new StatusReporter.Reset(config.resetSchedule(), lifecycle::lastReset, lifecycle::nextReset),
                featureSections);
        HttpSettings http = new HttpSettings(config.maxBodyBytes(), config.corsOrigins(), config.corsAllowCredentials(),
                config.selfMetrics());
        RenderWorkers renderWorkers = RenderWorkers.start(renderHelpers(Runtime.getRuntime().availableProcessors()));

        PushService pushService = new PushService(aggregator, metrics, config.maxGrpcMessageBytes());
        RefusedPushRecorder refusedPushes = new RefusedPushRecorder(metrics);
        GrpcServices grpcServices = new GrpcServices(pushService, security.grpcInterceptor(refusedPushes));
        Http2Config http2 = Http2Config.create();
        GrpcConfig grpc = GrpcConfig.builder().maxReadBufferSize(grpcReadBufferCap(config.maxGrpcMessageBytes())).build();
        ConnectionSettings connections = new ConnectionSettings(DescriptorBudget.connectionCap(config.maxConnections()),
                config.idleTimeout(), config.headerReadTimeout());
        ConnectionWatchdog watchdog = ConnectionWatchdog.start(connections.headerReadTimeout());

        WebServerConfig.Builder builder = WebServer.builder().config(ConnectionFrontDoor.withoutDiscoveredProtocols());
        Routes.configureServer(builder);
        security.configure(builder);
        WebServer server = builder
                .host(config.host())
                .port(config.port())
                .maxPayloadSize(config.maxBodyBytes())
                // Helidon leaves Nagle on; a unary gRPC reply is three small HTTP/2 frames, and the
                // last one then waits for the client's delayed ACK: ~40 ms per call without this.
                .connectionOptions(options -> options.tcpNoDelay(true))
                // Helidon 4.4.0's NIO socket (the default) writes through an 8 KiB buffer and ignores
                // partial writes, which a virtual thread's socket channel makes whenever the send
                // buffer is full: a scrape read slower than it is written lost bytes mid-body (curl:
                // "Malformed encoding found in chunked-encoding"). The stream socket writes whole
                // buffers and loops until they are out, and moves 100 MB in a third of the time.
                .useNio(false)
                .shutdownGracePeriod(SHUTDOWN_GRACE)
                .shutdownHook(false) // Main stops the gateway itself on SIGTERM, then exits 0
                .maxTcpConnections(connections.maxConnections())
                .idleConnectionTimeout(connections.idleTimeout())
                .idleConnectionPeriod(idleCheckPeriod(connections.idleTimeout()))
                // The front door is the listener's only selector (no protocols are discovered): it takes
                // each connection when it is accepted, reads HTTP/1.x through its framing checks and hands
                // prior-knowledge h2c (what gRPC clients open) to the gateway's HTTP/2 connections, which
                // serve gRPC with the gateway's fixes. h2c upgrades from HTTP/1.1 are not offered.
                // With TLS the front door takes every connection too, before its handshake, which it
                // runs under the header-read deadline, and then goes by ALPN (h2, http/1.1): one path
                // for plain and TLS connections, with the same checks, timeouts, cap and fixes.
                .addConnectionSelector(ConnectionFrontDoor.create(Http2Connections.create(http2, grpc, pushService, grpcServices),
                        connections, watchdog))
                .routing(routing -> {
                    // first: its CORS filter must run before the guard, so that the guard's refusals carry the headers
                    Routes.register(routing, aggregator, metrics, http, renderWorkers);
                    security.register(routing, refusedPushes);
                    StatusRoutes.register(routing, status);
                })
                .addRouting(grpcServices.routing())
                .build()
                .start();
        if (server.port() < 0) {
            // Helidon 4.4.0 logs the failed bind and carries on with a port of -1 and nothing listening
            server.stop();
            watchdog.close();
            lifecycle.close();
            renderWorkers.close();
            rates.close();
            throw new PortUnavailableException(config.host(), config.port());
        }
        persistence.ifPresent(Persistence::start);
        return new Gateway(aggregator, lifecycle, renderWorkers, rates, grpcServices, watchdog, security, server, persistence);
    }

    /**
     * Starts the class initialisation of Helidon's {@code Size} parsing on a short-lived thread of its own,
     * so that it runs while this thread sets up the engine. The HTTP/1.1 and HTTP/2 config builders of
     * Helidon 4.4.0 parse their default entity size ({@code "64 KB"}) with {@code BigDecimal}, and on JDK 25
     * {@code BigDecimal}'s class initialisation squares {@code 5} sixteen times (a table of
     * {@code 5^(2^n)}): before the JIT has compiled {@code BigInteger}'s multiplication, that was about
     * 0.05-0.08 s, an eighth of the main thread's work up to the first ready answer. A class is initialised
     * once: when the builders come to it first, they wait for this thread instead of doing it again.
     */
    private static void startSizeParsingAhead() {
        Thread.ofPlatform().daemon().name("gateway-startup-sizes").start(() -> Size.parse("64 KB"));
    }

    /**
     * Fails before a snapshot is loaded, with one line, when another process holds the port: Helidon
     * 4.4.0 would log a stack trace for it and go on with nothing listening. The check after the
     * server starts covers a port taken in between.
     */
    private static void checkPortFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            throw new PortUnavailableException(host, port);
        }
    }

    private static FamilyRules familyRules(GatewayConfig config) {
        long perFamily = config.security().maxSeriesPerFamily();
        return new FamilyRules(MetricAllowRules.of(config.security().allowMetrics()), perFamily == 0 ? Long.MAX_VALUE : perFamily);
    }

    private static SnapshotCounts snapshotCounts(PersistenceStats stats) {
        return new SnapshotCounts(stats.lastSuccess(), stats.lastDuration().toNanos() / 1e9, stats.lastBytes(),
                stats.written(), stats.failed());
    }

    /**
     * Threads that help render scrapes: one per core, so that with the scrape's own thread a scrape
     * keeps every core busy while its own thread writes to the socket; at most 4, since beyond that
     * the one socket write (~0.05 s per 100 MB on loopback) and the scraper are the limit, and each
     * helper adds two slices (~0.5 MB) to what every scrape holds at once.
     */
    static int renderHelpers(int cores) {
        return Math.min(cores, 4);
    }

    /**
     * Helidon's own cap on a gRPC message. Messages above it get a misleading INTERNAL from
     * Helidon, so it sits well above the gateway's limit, which answers RESOURCE_EXHAUSTED with
     * a clear message; it still bounds what one message can make the server allocate.
     */
    static int grpcReadBufferCap(int maxGrpcMessageBytes) {
        long cap = Math.max(4L * maxGrpcMessageBytes, maxGrpcMessageBytes + 64L * 1024 * 1024);
        return (int) Math.min(cap, 1L << 30);
    }

    /** How often idle connections are looked for: a quarter of the timeout, between 250 ms and 30 s. */
    static Duration idleCheckPeriod(Duration idleTimeout) {
        long millis = idleTimeout.toMillis() / 4;
        return Duration.ofMillis(Math.max(250, Math.min(30_000, millis)));
    }

    public int port() {
        return server.port();
    }

    public Aggregator aggregator() {
        return aggregator;
    }

    /** Whether the port serves TLS (the web config file has a {@code tls_server_config}). */
    public boolean tls() {
        return security.tls();
    }

    /**
     * Reads the web config file and the files it names again, as on SIGHUP; a version that cannot
     * be used is logged and the one in force stays.
     *
     * @return whether a new version is in force
     */
    public boolean reloadWebConfig() {
        return security.reload();
    }

    /**
     * Reports NOT_SERVING to gRPC health checks, stops accepting, lets in-flight requests finish (up
     * to {@link #SHUTDOWN_GRACE}), stops the schedules, and writes the last snapshot, which so holds
     * every push that was answered.
     *
     * @return whether the state is saved: the last snapshot was written, or there is no snapshot file
     */
    public boolean stop() {
        grpcServices.draining();
        server.stop();
        watchdog.close();
        security.close();
        lifecycle.close();
        boolean saved = persistence.map(Persistence::stop).orElse(true);
        renderWorkers.close();
        rates.close();
        return saved;
    }

    @Override
    public void close() {
        stop();
    }
}
