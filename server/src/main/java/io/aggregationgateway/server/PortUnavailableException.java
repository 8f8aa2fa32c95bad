package io.aggregationgateway.server;

/** The listening port could not be opened: another process holds it, or the address is not this host's. */
public final class PortUnavailableException extends RuntimeException {
    public PortUnavailableException(String host, int port) {
        super("cannot listen on " + host + ":" + port + ": the port is in use or the address is not available"
                + " (choose another with --port or --host)");
    }
}
