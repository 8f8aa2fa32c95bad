package io.aggregationgateway.server.protowire;

/**
 * The bytes end early or hold what {@link ProtoReader} does not read: a varint over 10 bytes, a
 * length past the end, field number 0, an invalid wire type, or a group (deprecated; no Prometheus
 * client writes one). It carries no message: a caller that reports the problem knows where it was
 * reading and words it.
 */
public final class WireFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    WireFormatException() {
        // no stack trace, suppression or settable cause: one instance can be thrown by every reader
        super(null, null, false, false);
    }
}
