package io.aggregationgateway.server.e2e;

import io.aggregationgateway.testsupport.Closer;
import io.aggregationgateway.testsupport.RequiredExecutable;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The gRPC API through two stacks nobody here wrote: gRPC C-core (Debian's {@code python3-grpcio},
 * the stack of the Python, Ruby, C++ and PHP clients) and grpc-go (Debian's Go packages, built
 * offline in GOPATH mode). The scripts are {@code e2e/grpc_push.py} and {@code e2e/gwclient/main.go}.
 */
class GrpcClientsE2ETest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String GO = "/usr/bin/go";
    private static final Path GO_SOURCES = Path.of("/usr/share/gocode/src");

    @TempDir
    static Path workDir;

    private static RunningGateway gateway;

    @BeforeAll
    static void start() {
        gateway = new RunningGateway("--self-metrics", "false");
    }

    @AfterAll
    static void stop() throws Exception {
        Closer.closeAll(gateway);
    }

    @BeforeEach
    void empty() {
        gateway.aggregator.reset();
    }

    private static String target() {
        return "127.0.0.1:" + gateway.port();
    }

    @Test
    void theCCoreClientPushesStreamsAndChecksHealthOnOneConnection() throws Exception {
        RequiredExecutable.require(PYTHON, "python3");
        if (run(List.of(PYTHON, "-I", "-c", "import grpc, grpc_tools"), Map.of(), Duration.ofSeconds(30)).exitCode() != 0) {
            RequiredExecutable.unavailable(PYTHON + " cannot import grpc and grpc_tools (apt-get install python3-grpcio python3-grpc-tools)");
        }
        Path protos = workDir.resolve("protos");
        for (String proto : List.of("aggregationgateway/v1/gateway.proto", "io/prometheus/client/metrics.proto")) {
            copyResource("/" + proto, protos.resolve(proto));
        }
        Path script = workDir.resolve("grpc_push.py");
        copyResource("/e2e/grpc_push.py", script);

        String output = succeeded(run(List.of(PYTHON, "-I", script.toString(), protos.toString(), target()), Map.of(),
                Duration.ofSeconds(60)));
        assertEquals("""
                push 1 1
                push 1 1
                push 1 1
                push gzip 1 1
                stream 5 5
                refused INVALID_ARGUMENT family bad_total, series {job="python",x="bad%41name é"}: counter value -1.0 is negative
                health 0801
                """, output);
        String scraped = gateway.scrape();
        assertTrue(scraped.contains("py_total{job=\"python\"} 10\n"), scraped);
        for (int i = 0; i < 5; i++) {
            assertTrue(scraped.contains("py_stream_total{i=\"" + i + "\",job=\"python\"} 1\n"), scraped);
        }
    }

    @Test
    void theGoClientLearnsTheApiThroughReflectionThenPushesAndStreams() throws Exception {
        RequiredExecutable.require(GO, "golang-go");
        if (!Files.isDirectory(GO_SOURCES.resolve("google.golang.org/grpc"))
                || !Files.isDirectory(GO_SOURCES.resolve("google.golang.org/protobuf"))) {
            RequiredExecutable.unavailable(GO_SOURCES + " lacks grpc-go or protobuf-go "
                    + "(apt-get install golang-google-grpc-dev golang-google-protobuf-dev)");
        }
        Path gopath = workDir.resolve("gopath");
        copyResource("/e2e/gwclient/main.go", gopath.resolve("src/gwclient/main.go"));
        Path binary = workDir.resolve("gwclient");
        // offline: GOPATH mode against Debian's sources; the build cache survives between runs under target/
        Map<String, String> environment = Map.of("GO111MODULE", "off", "GOFLAGS", "", "GOPROXY", "off",
                "GOPATH", gopath + ":/usr/share/gocode", "GOCACHE", Path.of("target", "go-cache").toAbsolutePath().toString());
        succeeded(run(List.of(GO, "build", "-o", binary.toString(), "gwclient"), environment, Duration.ofMinutes(5)));

        String output = succeeded(run(List.of(binary.toString(), target()), Map.of(), Duration.ofSeconds(60)));
        assertEquals("""
                health SERVING
                service aggregationgateway.v1.AggregationGateway
                service grpc.health.v1.Health
                service grpc.reflection.v1.ServerReflection
                service grpc.reflection.v1alpha.ServerReflection
                push {"families":"1","series":"1"}
                push {"families":"1","series":"1"}
                stream {"families":"3","series":"3"}
                refused InvalidArgument: family bad_total, series {job="go",x="bad%41name é"}: counter value -1.0 is negative
                """, sortedServices(output));
        assertTrue(gateway.scrape().contains("go_total{job=\"go\"} 10\n"), gateway.scrape());
    }

    /** The output with its "service" lines in name order: reflection lists them in no set order. */
    private static String sortedServices(String output) {
        List<String> lines = output.lines().toList();
        List<String> services = lines.stream().filter(l -> l.startsWith("service ")).sorted().toList();
        StringBuilder out = new StringBuilder();
        boolean servicesWritten = false;
        for (String line : lines) {
            if (line.startsWith("service ")) {
                if (!servicesWritten) {
                    services.forEach(s -> out.append(s).append('\n'));
                    servicesWritten = true;
                }
            } else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static void copyResource(String resource, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        try (InputStream in = GrpcClientsE2ETest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + resource + " on the test class path");
            }
            Files.copy(in, file);
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static String succeeded(Result result) {
        assertEquals(0, result.exitCode(), result::output);
        return result.output();
    }

    /** Runs a command with loopback-only networking in mind (proxies unset); it must end within {@code limit}. */
    private static Result run(List<String> command, Map<String, String> environment, Duration limit)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile(workDir, "run", ".out"); // a file, not a pipe: a hung program cannot block us
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().keySet().removeIf(name -> name.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        builder.environment().put("no_proxy", "127.0.0.1,localhost");
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(String.join(" ", command) + " did not finish within " + limit + ":\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
