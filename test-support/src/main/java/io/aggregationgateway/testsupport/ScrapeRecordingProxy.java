package io.aggregationgateway.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP proxy in front of the gateway's {@code GET /metrics} that records what each
 * scraper asked for ({@code Accept}) and what the gateway answered ({@code Content-Type}). The
 * gateway's own metrics cannot say which format a scrape got; this can.
 *
 * <p>Optionally it replaces the scraper's {@code Accept} header, to play a scraper that asks for
 * something a given Prometheus version would not ask for by itself. Bodies pass through untouched,
 * gzip included.
 */
public final class ScrapeRecordingProxy implements AutoCloseable {
    /** One proxied scrape. */
    public record Scrape(String acceptFromScraper, String acceptSentOn, int status, String contentType, String contentEncoding) {
    }

    private final URI gatewayMetrics;
    private final String pinnedAccept;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    // Prometheus, like the Pushgateway, scrapes over HTTP/1.1
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Scrape> scrapes = new CopyOnWriteArrayList<>();

    /** @param pinnedAccept the {@code Accept} to send on instead of the scraper's, or {@code null} to pass it through */
    public ScrapeRecordingProxy(URI gatewayMetrics, String pinnedAccept) throws IOException {
        this.gatewayMetrics = gatewayMetrics;
        this.pinnedAccept = pinnedAccept;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(executor);
        server.createContext("/metrics", this::forward);
        server.start();
    }

    /** {@code host:port}, as a Prometheus scrape target. */
    public String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Scrape> scrapes() {
        return List.copyOf(scrapes);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            String acceptSentOn = pinnedAccept != null ? pinnedAccept : accept;
            HttpRequest.Builder request = HttpRequest.newBuilder(gatewayMetrics).timeout(Duration.ofSeconds(10)).GET();
            if (acceptSentOn != null) {
                request.header("Accept", acceptSentOn);
            }
            String acceptEncoding = exchange.getRequestHeaders().getFirst("Accept-Encoding");
            if (acceptEncoding != null) {
                request.header("Accept-Encoding", acceptEncoding);
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            String contentType = response.headers().firstValue("Content-Type").orElse(null);
            String contentEncoding = response.headers().firstValue("Content-Encoding").orElse(null);
            scrapes.add(new Scrape(accept, acceptSentOn, response.statusCode(), contentType, contentEncoding));
            if (contentType != null) {
                exchange.getResponseHeaders().set("Content-Type", contentType);
            }
            if (contentEncoding != null) {
                exchange.getResponseHeaders().set("Content-Encoding", contentEncoding);
            }
            byte[] body = response.body();
            exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        http.close();
    }
}
