package io.aggregationgateway.server;

import io.helidon.webserver.WebServer;

/**
 * A bare Helidon web server as Helidon sets it up by default, for {@link DescriptorExhaustionTest}
 * to show that Helidon's own accept loop still gives up when descriptors run out.
 */
public final class HelidonAcceptLoopProbe {
    private HelidonAcceptLoopProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(routing -> routing.get("/-/healthy", (req, res) -> res.send("OK\n")))
                .build()
                .start();
        System.out.println("helidon listening on 127.0.0.1:" + server.port());
        Thread.sleep(Long.MAX_VALUE); // the test ends it
    }
}
