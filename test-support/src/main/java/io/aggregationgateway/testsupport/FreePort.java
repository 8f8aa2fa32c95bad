package io.aggregationgateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A loopback TCP port free right now, for a program that must be told its port up front. */
public final class FreePort {
    private FreePort() {
    }

    /**
     * Binds port 0 on 127.0.0.1 and releases it. Another process may take the port before the
     * caller binds it, so callers retry with a new port when their program cannot listen.
     */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
