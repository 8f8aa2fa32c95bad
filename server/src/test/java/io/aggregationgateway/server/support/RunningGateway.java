package io.aggregationgateway.server.support;

import io.aggregationgateway.server.Main;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.config.GatewayConfig;
import io.helidon.webserver.WebServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The gateway as Main wires it (HTTP and gRPC on one port), on a free loopback port. */
public final class RunningGateway implements AutoCloseable {
    public final Aggregator aggregator = new Aggregator("aggregation_gateway_");
    private final WebServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public RunningGateway(int maxBodyBytes, int maxGrpcMessageBytes) {
        server = Main.start(new GatewayConfig("127.0.0.1", 0, maxBodyBytes, maxGrpcMessageBytes), aggregator);
    }

    public RunningGateway() {
        this(16 * 1024 * 1024, 16 * 1024 * 1024);
    }

    public int port() {
        return server.port();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Sends a request built on {@link #uri(String)}; the body comes back as bytes. */
    public HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() {
        server.stop();
    }
}
