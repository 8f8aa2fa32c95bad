package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.buffers.DataWriter;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One prior-knowledge HTTP/2 connection as Helidon's HTTP/2 code sees it: Helidon's own context,
 * except that its bytes come through a {@link RewritingFrameReader} and go out through a
 * {@link CorkingDataWriter} (a call's answer in one write), and that it keeps the gRPC
 * calls open on it, to cancel them when the connection ends. Helidon 4.4.0 does not tell a call
 * that its connection is gone unless the client reset the stream first, so a health {@code Watch}
 * whose client vanished would stay registered for ever.
 */
final class ConnectionScope implements ConnectionContext {
    private static final Logger LOGGER = Logger.getLogger(ConnectionScope.class.getName());

    private final ConnectionContext helidon;
    private final DataReader reader;
    private final CorkingDataWriter writer;
    /** Calls held before those that have ended are swept out. */
    static final int SWEEP_AT = 32;

    private final Set<SubProtocolHandler> openCalls = ConcurrentHashMap.newKeySet();

    ConnectionScope(ConnectionContext helidon, DataReader reader, CorkingDataWriter writer) {
        this.helidon = helidon;
        this.reader = reader;
        this.writer = writer;
    }

    /** Runs {@code writes} with the frames this thread writes meanwhile sent in one socket write. */
    void corked(Runnable writes) {
        writer.corked(writes);
    }

    /**
     * Registers a call (streams call this on their own threads). A call is forgotten when it tells
     * {@link #forget}; any others that have ended meanwhile once {@link #SWEEP_AT} are held. A sweep
     * at every call cost about 1 % of a small push's CPU.
     */
    void opened(SubProtocolHandler call) {
        if (openCalls.size() >= SWEEP_AT) {
            openCalls.removeIf(ConnectionScope::ended);
        }
        openCalls.add(call);
    }

    /** Forgets a call that has ended (on the stream's or the connection's thread). */
    void forget(SubProtocolHandler call) {
        openCalls.remove(call);
    }

    /** Calls held, open or ended since the last sweep. */
    int held() {
        return openCalls.size();
    }

    /** Cancels the calls still open, as a client's RST_STREAM(CANCEL) would. */
    void cancelOpenCalls() {
        for (SubProtocolHandler call : openCalls) {
            if (!ended(call)) {
                try {
                    call.rstStream(new Http2RstStream(Http2ErrorCode.CANCEL));
                } catch (RuntimeException e) {
                    LOGGER.log(Level.FINE, "cancelling a call of a closed connection failed", e);
                }
            }
        }
        openCalls.clear();
    }

    private static boolean ended(SubProtocolHandler call) {
        Http2StreamState state = call.streamState();
        return state == Http2StreamState.CLOSED || state == Http2StreamState.HALF_CLOSED_LOCAL;
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
