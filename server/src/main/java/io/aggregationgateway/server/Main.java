package io.aggregationgateway.server;

import io.aggregationgateway.server.config.ConfigException;
import io.aggregationgateway.server.config.ConfigLoader;
import io.aggregationgateway.server.config.GatewayConfig;
import io.aggregationgateway.server.persist.SnapshotLoadException;
import sun.misc.Signal;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Starts the gateway from flags, environment and config file; stops it gracefully on SIGTERM or SIGINT. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (ConfigLoader.wantsHelp(args)) {
            System.out.print(ConfigLoader.help());
            return;
        }
        GatewayConfig config;
        Gateway gateway;
        try {
            config = ConfigLoader.load(args, System.getenv());
            configureLogging(config.logLevel());
            gateway = Gateway.start(config);
            // after the snapshot's load: a heap kept small would be shrunk and regrown while it fills
            List<String> footprint = HeapFootprint.start();
            if (!footprint.isEmpty()) {
                Logger.getLogger(Main.class.getName()).fine(() -> "heap kept near the live data: " + String.join(", ", footprint));
            }
        } catch (ConfigException e) {
            System.err.println("aggregation-gateway: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        } catch (SnapshotLoadException | PortUnavailableException e) {
            System.err.println("aggregation-gateway: " + e.getMessage());
            System.exit(1);
            return;
        }
        // The handlers come before the line that says the gateway listens: a supervisor that signals
        // as soon as it reads that line must not meet the JVM's own handlers, which exit.
        // SIGHUP: read the web config file again now, without waiting for the next look at it
        Signal.handle(new Signal("HUP"), signal -> gateway.reloadWebConfig());
        // A plain JVM exits 143 on SIGTERM; operators (and Kubernetes) expect a drained stop and 0.
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        System.out.println("aggregation-gateway listening on " + config.host() + ":" + gateway.port()
                + (gateway.tls() ? " (TLS)" : ""));
        stop.await();
        Logger.getLogger(Main.class.getName()).info("stopping: finishing in-flight requests");
        // 1 when the last snapshot could not be written (logged): what was pushed since the one before is lost
        System.exit(gateway.stop() ? 0 : 1);
    }

    /**
     * The JDK's logging as configured by default (or by {@code -Djava.util.logging.config.file}), at
     * the gateway's level. Helidon's {@code LogConfig.configureRuntime()} is not called: on a JVM it
     * does nothing but its class initialisation (Helidon 4.4.0), which looks its logging providers up
     * on the class path, searches the working directory and the class path for a
     * {@code logging.properties} (the gateway ships none) and logs that it found none: 15 % of the
     * main thread's samples up to the first ready answer.
     */
    static void configureLogging(Level level) {
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(level);
        }
    }
}
