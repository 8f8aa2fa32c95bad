package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * One prior-knowledge HTTP/2 connection as Helidon's HTTP/2 code sees it: Helidon's own context,
 * except that its bytes come through a {@link RewritingFrameReader} and go out through a
 * {@link CorkingDataWriter} (a call's answer in one write), and that it keeps the gRPC calls open
 * on it ({@link ConnectionCalls}), to end them when the connection ends. Helidon 4.4.0 does not tell
 * a call that its connection is gone unless the client reset the stream first, so a health
 * {@code Watch} whose client vanished would stay registered for ever.
 */
final class ConnectionScope implements ConnectionContext {
    private final ConnectionContext helidon;
    private final DataReader reader;
    private final CorkingDataWriter writer;
    private final ConnectionCalls calls;

    ConnectionScope(ConnectionContext helidon, DataReader reader, CorkingDataWriter writer, ConnectionCalls calls) {
        this.helidon = helidon;
        this.reader = reader;
        this.writer = writer;
        this.calls = calls;
    }

    /** Runs {@code writes} with the frames this thread writes meanwhile sent in one socket write. */
    void corked(Runnable writes) {
        writer.corked(writes);
    }

    /** The gRPC calls open on this connection. */
    ConnectionCalls calls() {
        return calls;
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public ListenerContext listenerContext() {
        return helidon.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return helidon.executor();
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    @Override
    public Router router() {
        return helidon.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return helidon.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return helidon.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return helidon.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return helidon.localPeer();
    }

    @Override
    public boolean isSecure() {
        return helidon.isSecure();
    }

    @Override
    public String socketId() {
        return helidon.socketId();
    }

    @Override
    public String childSocketId() {
        return helidon.childSocketId();
    }
}
