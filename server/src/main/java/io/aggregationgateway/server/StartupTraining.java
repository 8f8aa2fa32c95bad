package io.aggregationgateway.server;

import io.aggregationgateway.server.config.ConfigException;
import io.aggregationgateway.server.config.ConfigLoader;
import io.aggregationgateway.server.config.GatewayConfig;
import io.aggregationgateway.server.persist.SnapshotLoadException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The training run of the build's class-data archive: starts a gateway with default settings as
 * {@link Main} does, on a free loopback port, sends it what a gateway sees in its first seconds
 * (readiness probes, a text push, scrapes in each format, the status API, a delete), and stops it.
 * The JVM that runs it records the classes it loaded and linked (and, on JDK 25, their method
 * profiles) into the archive at exit, so that a gateway started with that archive skips that work.
 *
 * <p>It fails (exit code 1) when any answer is not a success: the build then stops rather than
 * leave an archive of a gateway that did not work.
 */
final class StartupTraining {
    private static final String PUSH = """
            # TYPE training_requests_total counter
            training_requests_total{code="200"} 3
            # TYPE training_in_flight gauge
            training_in_flight 2
            # TYPE training_latency_seconds histogram
            training_latency_seconds_bucket{le="0.1"} 2
            training_latency_seconds_bucket{le="+Inf"} 3
            training_latency_seconds_sum 0.42
            training_latency_seconds_count 3
            """;

    /** One request and the status it must get. */
    record Exchange(String method, String path, Map<String, String> headers, String body, int status) {
    }

    static final List<Exchange> EXCHANGES = List.of(
            new Exchange("GET", "/-/ready", Map.of(), "", 200),
            new Exchange("GET", "/-/healthy", Map.of(), "", 200),
            new Exchange("POST", "/metrics/job/training", Map.of("Content-Type", "text/plain; version=0.0.4"), PUSH, 200),
            new Exchange("PUT", "/metrics/job/training/instance/a", Map.of(), PUSH, 200),
            new Exchange("GET", "/metrics", Map.of(), "", 200),
            new Exchange("GET", "/metrics", Map.of("Accept", "application/openmetrics-text; version=1.0.0"), "", 200),
            new Exchange("GET", "/metrics", Map.of("Accept",
                    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"), "", 200),
            new Exchange("GET", "/api/v1/status", Map.of(), "", 200),
            new Exchange("DELETE", "/metrics/job/training", Map.of(), "", 202));

    private StartupTraining() {
    }

    public static void main(String[] args) throws ConfigException, SnapshotLoadException, IOException {
        // no environment: GATEWAY_* variables of the machine that builds must not shape the archive
        GatewayConfig config = ConfigLoader.load(new String[] {"--host", "127.0.0.1", "--port", "0",
                "--log-level", "WARNING"}, Map.of());
        Main.configureLogging(config.logLevel());
        try (Gateway gateway = Gateway.start(config)) {
            train(gateway.port());
        } catch (IllegalStateException e) {
            System.err.println("startup training: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Sends every exchange, three rounds (the first requests of a gateway run through more code
     * than later ones).
     *
     * @throws IllegalStateException naming the first request that got another status than it should
     */
    static void train(int port) throws IOException {
        for (int round = 0; round < 3; round++) {
            for (Exchange exchange : EXCHANGES) {
                int status = send(port, exchange);
                if (status != exchange.status()) {
                    throw new IllegalStateException(exchange.method() + " " + exchange.path() + " answered " + status
                            + ", expected " + exchange.status());
                }
            }
        }
    }

    /** Sends one HTTP/1.1 request on a new connection; returns the response's status code. */
    static int send(int port, Exchange exchange) throws IOException {
        byte[] body = exchange.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(exchange.method()).append(' ').append(exchange.path())
                .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        exchange.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body.length > 0) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] response = in.readAllBytes();
            String statusLine = new String(response, 0, Math.min(response.length, 12), StandardCharsets.US_ASCII);
            if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
                return -1;
            }
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }
}
