package io.aggregationgateway.server;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.config.ConfigException;
import io.aggregationgateway.server.config.ConfigLoader;
import io.aggregationgateway.server.config.GatewayConfig;
import io.aggregationgateway.server.grpc.PushService;
import io.aggregationgateway.server.http.Routes;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcRouting;

/** Starts the gateway: configuration, engine, one web server on one port. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (ConfigLoader.wantsHelp(args)) {
            System.out.print(ConfigLoader.help());
            return;
        }
        GatewayConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("aggregation-gateway: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        LogConfig.configureRuntime();
        WebServer server = start(config, new Aggregator());
        System.out.println("aggregation-gateway listening on " + config.host() + ":" + server.port());
    }

    /** Starts a server for {@code config} in front of {@code aggregator}. */
    public static WebServer start(GatewayConfig config, Aggregator aggregator) {
        WebServerConfig.Builder server = WebServer.builder();
        Routes.configureServer(server);
        return server
                .host(config.host())
                .port(config.port())
                .maxPayloadSize(config.maxBodyBytes())
                .addProtocol(GrpcConfig.builder().maxReadBufferSize(grpcReadBufferCap(config.maxGrpcMessageBytes())).build())
                .routing(routing -> Routes.register(routing, aggregator, config.maxBodyBytes()))
                .addRouting(GrpcRouting.builder().service(new PushService(aggregator, config.maxGrpcMessageBytes())))
                .build()
                .start();
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
}
