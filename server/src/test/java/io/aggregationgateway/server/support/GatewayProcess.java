package io.aggregationgateway.server.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The gateway as a child process of the test JVM, started as {@code java ... Main} with this classpath. */
public final class GatewayProcess {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");
    private static final String MAIN = "io.aggregationgateway.server.Main";

    private GatewayProcess() {
    }

    /** Starts {@code java [jvmOptions] -cp <test classpath> Main [flags]}. */
    public static Process start(List<String> jvmOptions, String... flags) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN));
        command.addAll(List.of(flags));
        return new ProcessBuilder(command).start();
    }

    /** Reads the child's stdout until it says its port (bounded), then keeps draining it and stderr. */
    public static int awaitPort(Process process) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (InputStream in = process.getInputStream();
                 BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("gateway exited before listening"));
        }, "gateway-stdout");
        reader.setDaemon(true);
        reader.start();
        Thread errors = new Thread(() -> drain(process.getErrorStream()), "gateway-stderr");
        errors.setDaemon(true);
        errors.start();
        return port.get(30, TimeUnit.SECONDS);
    }

    private static void drain(InputStream in) {
        try (in) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the process ended
        }
    }
}
