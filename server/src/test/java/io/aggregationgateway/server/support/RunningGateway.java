package io.aggregationgateway.server.support;

import io.aggregationgateway.server.Gateway;
import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.config.ConfigException;
import io.aggregationgateway.server.config.ConfigLoader;
import io.aggregationgateway.server.persist.SnapshotLoadException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The gateway as Main starts it (HTTP and gRPC on one port), on a free loopback port. */
public final class RunningGateway implements AutoCloseable {
    public final Aggregator aggregator;
    private final Gateway gateway;
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
            gateway = Gateway.start(ConfigLoader.load(args, Map.of()));
        } catch (ConfigException | SnapshotLoadException e) {
            throw new IllegalArgumentException(e);
        }
        aggregator = gateway.aggregator();
    }

    public int port() {
        return gateway.port();
    }

    public URI uri(String path) {
        return URI.create((gateway.tls() ? "https" : "http") + "://127.0.0.1:" + port() + path);
    }

    /** Reads the web config file again, as SIGHUP does; whether a new version is in force. */
    public boolean reloadWebConfig() {
        return gateway.reloadWebConfig();
    }

    /** Sends a request built on {@link #uri(String)}; the body comes back as bytes. */
    public HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** POSTs a text-format body to {@code path}. */
    public HttpResponse<byte[]> pushText(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "text/plain; version=0.0.4")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** {@code GET /metrics} as text. */
    public String scrape() throws IOException, InterruptedException {
        return new String(send(HttpRequest.newBuilder(uri("/metrics"))).body(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        gateway.close();
    }
}
