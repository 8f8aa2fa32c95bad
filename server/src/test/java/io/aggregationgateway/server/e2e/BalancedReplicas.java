package io.aggregationgateway.server.e2e;

import io.aggregationgateway.server.support.GatewayProcess;
import io.aggregationgateway.server.support.RepositoryFiles;
import io.aggregationgateway.testsupport.Closer;
import io.aggregationgateway.testsupport.RealNginx;
import io.aggregationgateway.testsupport.TextScrape;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Gateway replicas, each its own JVM, behind Debian's nginx running the repository's balancer
 * configuration ({@code deploy/nginx/}). The test fills in what differs on loopback and nothing
 * else: {@code replicas.conf} lists the replicas' ports, and the two {@code listen} lines get free
 * loopback ports.
 */
final class BalancedReplicas implements AutoCloseable {
    private static final String NGINX_DIR = "deploy/nginx";
    private static final Pattern HTTP_LISTEN = Pattern.compile("(?m)^(\\s*)listen 8080;$");
    private static final Pattern GRPC_LISTEN = Pattern.compile("(?m)^(\\s*)listen 8081 http2;$");

    /** The running replicas, by index; {@link #restart} puts a new process in its predecessor's place. */
    final List<GatewayProcess> replicas;
    final RealNginx nginx;
    private final Path workDir;
    private final IntFunction<String[]> flagsOfReplica;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int restarts;

    private BalancedReplicas(List<GatewayProcess> replicas, RealNginx nginx, Path workDir, IntFunction<String[]> flagsOfReplica) {
        this.replicas = replicas;
        this.nginx = nginx;
        this.workDir = workDir;
        this.flagsOfReplica = flagsOfReplica;
    }

    /** Starts {@code count} replicas with {@code gatewayFlags}, side by side, then nginx in front of them. */
    static BalancedReplicas start(Path workDir, int count, String... gatewayFlags) throws Exception {
        return start(workDir, count, replica -> gatewayFlags);
    }

    /** Like {@link #start(Path, int, String...)}, with flags of their own for each replica (by index: 0, 1, ...). */
    static BalancedReplicas start(Path workDir, int count, IntFunction<String[]> flagsOfReplica) throws Exception {
        Files.createDirectories(workDir);
        List<GatewayProcess> replicas = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                replicas.add(GatewayProcess.launch(workDir.resolve("replica-" + i + ".log"), flagsOfReplica.apply(i)));
            }
            for (GatewayProcess replica : replicas) {
                replica.awaitListening();
            }
            // only now: nginx takes a replica that refuses connections out of rotation for 10 s
            List<String> addresses = replicas.stream().map(GatewayProcess::address).toList();
            RealNginx nginx = startNginx(workDir.resolve("nginx"), addresses, UnaryOperator.identity());
            return new BalancedReplicas(replicas, nginx, workDir, flagsOfReplica);
        } catch (Throwable e) {
            Closer.closeAll(replicas.toArray(AutoCloseable[]::new));
            throw e;
        }
    }

    /**
     * nginx with the repository's configuration in front of {@code replicaAddresses}, its HTTP port
     * first and its gRPC port second in {@link RealNginx#ports()}.
     *
     * @param balancerEdit a change to aggregation-gateway.conf, for a test of what the configuration avoids
     */
    static RealNginx startNginx(Path dir, List<String> replicaAddresses, UnaryOperator<String> balancerEdit)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        return RealNginx.start(dir, 2, (workDir, ports) -> writeConfig(workDir, ports, replicaAddresses, balancerEdit));
    }

    private static Path writeConfig(Path dir, List<Integer> ports, List<String> replicaAddresses, UnaryOperator<String> balancerEdit)
            throws IOException {
        Path source = RepositoryFiles.resolve(NGINX_DIR);
        Files.copy(source.resolve("nginx.conf"), dir.resolve("nginx.conf"), StandardCopyOption.REPLACE_EXISTING);
        String balancer = Files.readString(source.resolve("aggregation-gateway.conf"));
        balancer = replaceOnce(balancer, HTTP_LISTEN, "listen 127.0.0.1:" + ports.get(0) + ";");
        balancer = replaceOnce(balancer, GRPC_LISTEN, "listen 127.0.0.1:" + ports.get(1) + " http2;");
        Files.writeString(dir.resolve("aggregation-gateway.conf"), balancerEdit.apply(balancer));
        Files.writeString(dir.resolve("replicas.conf"), replicaAddresses.stream()
                .map(address -> "server " + address + ";\n").collect(Collectors.joining()));
        return dir.resolve("nginx.conf");
    }

    private static String replaceOnce(String config, Pattern line, String listen) {
        Matcher matcher = line.matcher(config);
        if (!matcher.find()) {
            throw new IllegalStateException("aggregation-gateway.conf has no line matching " + line);
        }
        String replaced = config.substring(0, matcher.start()) + matcher.group(1) + listen + config.substring(matcher.end());
        if (line.matcher(replaced).find()) {
            throw new IllegalStateException("aggregation-gateway.conf has more than one line matching " + line);
        }
        return replaced;
    }

    /**
     * Starts replica {@code index} again, after it stopped, with its flags on its old port, so that
     * nginx's {@code replicas.conf} names it as before; returns the new process once it listens.
     */
    GatewayProcess restart(int index) throws IOException, InterruptedException {
        GatewayProcess old = replicas.get(index);
        if (old.isAlive()) {
            throw new IllegalStateException("replica " + index + " is still running");
        }
        List<String> flags = new ArrayList<>(List.of(flagsOfReplica.apply(index)));
        flags.addAll(List.of("--port", Integer.toString(old.port())));
        // a log of its own: the old one already says "listening on"
        GatewayProcess started = GatewayProcess.launch(workDir.resolve("replica-" + index + "-restart-" + (++restarts) + ".log"),
                flags.toArray(String[]::new));
        replicas.set(index, started);
        started.awaitListening();
        return started;
    }

    int httpPort() {
        return nginx.ports().get(0);
    }

    int grpcPort() {
        return nginx.ports().get(1);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort() + path);
    }

    List<String> replicaAddresses() {
        return replicas.stream().map(GatewayProcess::address).toList();
    }

    /** Sends a request through the balancer. */
    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs or PUTs a text body to {@code path} through the balancer; asserts 200. */
    HttpResponse<String> pushText(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "text/plain; version=0.0.4")
                .method(method, HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(200, response.statusCode(), () -> method + " " + path + ": " + response.body() + "\n" + nginx.logTail());
        return response;
    }

    /**
     * The replica nginx handed the request to last, from the {@code X-Gateway-Replica} header the
     * configuration adds ({@code $upstream_addr}: "a, b" when it tried a first).
     */
    static String answeringReplica(HttpResponse<?> response) {
        String upstreams = response.headers().firstValue("X-Gateway-Replica").orElse("");
        return upstreams.substring(upstreams.lastIndexOf(' ') + 1);
    }

    /** One replica's own scrape (text 0.0.4), not through the balancer. */
    TextScrape scrape(GatewayProcess replica) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + replica.address() + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode());
        return new TextScrape(response.body());
    }

    @Override
    public void close() throws Exception {
        List<AutoCloseable> all = new ArrayList<>();
        all.add(nginx);
        all.addAll(replicas);
        all.add(http::close);
        Closer.closeAll(all.toArray(AutoCloseable[]::new));
    }
}
