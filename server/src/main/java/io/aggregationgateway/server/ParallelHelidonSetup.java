package io.aggregationgateway.server;

import io.helidon.common.SerializationConfig;
import io.helidon.webserver.http2.Http2Config;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Helidon's setup that needs none of the gateway's settings, made on a second thread while the
 * main thread builds the engine, the gRPC services and the server's routes. On a fresh JVM each
 * part costs class initialisation and class-path scans (Helidon 4.4.0, JDK 25, JFR of a start with
 * the AOT cache, share of the main thread's samples):
 * <ul>
 *   <li>{@link SerializationConfig#configureRuntime()}: the JVM-wide deserialization filter, which
 *       Helidon's web server sets up when it starts, once per JVM; reading every jar's Helidon
 *       manifest for it was 10 %. Done here first, the server's own call finds it done;</li>
 *   <li>{@link Http2Config#create()}: its defaults are sizes, and Helidon's {@code Size.parse}
 *       initialises {@code BigDecimal}, whose class initialisation computes large powers of ten:
 *       17 %.</li>
 * </ul>
 * On two cores the second thread runs beside the main one instead of before it.
 */
final class ParallelHelidonSetup {
    private final FutureTask<Http2Config> http2;

    private ParallelHelidonSetup(FutureTask<Http2Config> http2) {
        this.http2 = http2;
    }

    /** Starts the work on its own thread; call after {@link HelidonRegistry#install()}. */
    static ParallelHelidonSetup begin() {
        FutureTask<Http2Config> http2 = new FutureTask<>(() -> {
            SerializationConfig.configureRuntime();
            return Http2Config.create();
        });
        Thread.ofPlatform().name("startup-helidon-setup").daemon().start(http2);
        return new ParallelHelidonSetup(http2);
    }

    /**
     * The HTTP/2 settings, once the work is done: the deserialization filter is then set up too, so
     * call this before the server starts.
     */
    Http2Config http2Config() {
        return result(http2);
    }

    private static <T> T result(FutureTask<T> task) {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Helidon's settings were made", e);
        }
    }
}
