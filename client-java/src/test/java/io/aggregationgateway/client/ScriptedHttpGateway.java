package io.aggregationgateway.client;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the gateway's HTTP push and delete routes: answers the scripted statuses in turn
 * (the last one for ever) after a delay, and records methods, paths, headers, bodies and how many
 * requests were in flight at once. Serves requests on several threads, so overlapping pushes would show.
 */
final class ScriptedHttpGateway implements AutoCloseable {
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final List<String> methods = new CopyOnWriteArrayList<>();
    final List<String> paths = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);

    ScriptedHttpGateway(Duration delay, int... statuses) throws IOException {
        this(null, delay, statuses);
    }

    /** @param tls null for plain HTTP, else HTTPS with this context's certificate */
    ScriptedHttpGateway(SSLContext tls, Duration delay, int... statuses) throws IOException {
        if (tls == null) {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } else {
            HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            boolean counted = true;
            try {
                int n = requests.getAndIncrement();
                methods.add(exchange.getRequestMethod());
                paths.add(exchange.getRequestURI().getRawPath());
                exchange.getRequestHeaders().forEach((name, values) -> lastHeaders.put(name.toLowerCase(), values.get(0)));
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                Thread.sleep(delay);
                int status = statuses[Math.min(n, statuses.length - 1)];
                byte[] body = (status / 100 == 2 ? "" : "scripted failure " + status + "\n").getBytes(StandardCharsets.UTF_8);
                // no longer in flight once the answer is decided: the client may send its next push
                // as soon as the response leaves, before this thread gets to run again
                inFlight.decrementAndGet();
                counted = false;
                exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (counted) {
                    inFlight.decrementAndGet();
                }
                exchange.close();
            }
        });
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
