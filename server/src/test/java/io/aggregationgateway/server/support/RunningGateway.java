package io.aggregationgateway.server.support;

import io.aggregationgateway.server.Main;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.config.ConfigException;
import io.aggregationgateway.server.config.ConfigLoader;
import io.helidon.webserver.WebServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The gateway as Main wires it (HTTP and gRPC on one port), on a free loopback port. */
public final class RunningGateway implements AutoCloseable {
    public final Aggregator aggregator = new Aggregator("aggregation_gateway_");
    private final WebServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param flags gateway flags on top of {@code --host 127.0.0.1 --port 0} */
    public RunningGateway(String... flags) {
        String[] args = new String[flags.length + 4];
        args[0] = "--host";
        args[1] = "127.0.0.1";
        args[2] = "--port";
        args[3] = "0";
        System.arraycopy(flags, 0, args, 4, flags.length);
        try {
            server = Main.start(ConfigLoader.load(args, Map.of()), aggregator);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e);
        }
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
