package io.aggregationgateway.client;

import io.aggregationgateway.server.Gateway;
import io.aggregationgateway.server.config.ConfigException;
import io.aggregationgateway.server.config.ConfigLoader;
import io.aggregationgateway.server.persist.SnapshotLoadException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;

/**
 * The real gateway, started in-process on a free loopback port through its public entry point
 * ({@link Gateway#start}, as {@code Main} starts it), and a scraper for it.
 */
final class InProcessGateway implements AutoCloseable {
    private final Gateway server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param flags gateway flags on top of {@code --host 127.0.0.1 --port 0} */
    InProcessGateway(String... flags) {
        String[] args = new String[flags.length + 4];
        args[0] = "--host";
        args[1] = "127.0.0.1";
        args[2] = "--port";
        args[3] = "0";
        System.arraycopy(flags, 0, args, 4, flags.length);
        try {
            server = Gateway.start(ConfigLoader.load(args, Map.of()));
        } catch (ConfigException | SnapshotLoadException e) {
            throw new IllegalArgumentException(e);
        }
    }

    int port() {
        return server.port();
    }

    /** {@code 127.0.0.1:port}, the form PushClientBuilder.target takes. */
    String address() {
        return "127.0.0.1:" + port();
    }

    /** {@code GET /metrics} in text format 0.0.4. */
    String scrape() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + address() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("scrape answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The value of one series in the scrape, written as the gateway writes it: name, then labels
     * sorted by name, e.g. {@code jobs_total{job="a",zone="eu"}}.
     */
    OptionalDouble value(String series) {
        return valueIn(scrape(), series);
    }

    static OptionalDouble valueIn(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).trim()
                        .replace("+Inf", "Infinity")));
            }
        }
        return OptionalDouble.empty();
    }

    /** Scrapes until the series' value passes the test, for at most 5 s; answers the last value seen. */
    OptionalDouble awaitValue(String series, DoublePredicate done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        OptionalDouble value = value(series);
        while ((value.isEmpty() || !done.test(value.getAsDouble())) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            value = value(series);
        }
        return value;
    }

    @Override
    public void close() {
        http.close();
        server.close();
    }
}
