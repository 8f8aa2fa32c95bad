package io.aggregationgateway.server.security;

import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A server-side {@link SSLSocket} layered over an accepted TCP connection, which does two things
 * differently from the JDK's socket it wraps.
 *
 * <p>It hands out its session with the peer's certificates looked up once. Helidon 4.4.0 asks for
 * the client's certificates on every HTTP/1.1 request (to set {@code X-HELIDON-CN}), and without a
 * client certificate the JDK answers each time with a new {@link SSLPeerUnverifiedException} and
 * its stack trace: one exception per request, a large part of the cost of a small push over TLS.
 *
 * <p>Its handshake waits for the first read or write instead of {@link #startHandshake()}. Helidon
 * 4.4.0 calls {@code startHandshake()} as soon as it has accepted the connection, before any
 * connection selector sees it, with no timeout, and when the handshake fails it never gives back
 * the connection's place under {@code maxTcpConnections}: every failed handshake (a scanner, plain
 * HTTP to the TLS port, a client that rejects the certificate) would shrink the gateway's
 * {@code --max-connections} for good, and a client that never finishes one would hold its place.
 * Deferred, the handshake runs in the gateway's front door, whose first read it is: under the
 * header-read timeout like any request head, and a failure ends the connection the way a broken
 * request does, place given back.
 *
 * <p>Closing it closes the TCP connection too, so that a read blocked in the handshake ends at once.
 * Everything else goes to the JDK's socket.
 */
final class QuietSslSocket extends SSLSocket {
    private final SSLSocket socket;
    private final Socket transport;
    private volatile KnownPeer session;

    /** @param transport the TCP connection {@code socket} is layered on */
    QuietSslSocket(SSLSocket socket, Socket transport) {
        this.socket = socket;
        this.transport = transport;
    }

    /** Whether the handshake got as far as choosing the application protocol (ALPN, or none). */
    private boolean negotiated() {
        return socket.getApplicationProtocol() != null;
    }

    /**
     * Before the handshake: the session the JDK documents for an {@code SSLEngine} not yet
     * handshaken (invalid, {@code SSL_NULL_WITH_NULL_NULL}, no ID, no peer), where the JDK's socket
     * would run the handshake to answer. Helidon 4.4.0 reads the session's ID when it wraps the
     * socket, and takes a later, different ID as a new session.
     */
    @Override
    public SSLSession getSession() {
        if (!negotiated()) {
            return NotYetNegotiated.SESSION;
        }
        SSLSession current = socket.getSession();
        KnownPeer known = session;
        if (known == null || known.session != current) {
            known = new KnownPeer(current);
            session = known;
        }
        return known;
    }

    private static final class NotYetNegotiated {
        static final SSLSession SESSION = session();

        private static SSLSession session() {
            try {
                return SSLContext.getDefault().createSSLEngine().getSession();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JDK has no default TLS context", e);
            }
        }
    }

    /**
     * What the JDK throws for a peer without certificates, without the stack trace: Helidon 4.4.0
     * still asks on every HTTP/1.1 request, and filling in the trace was 1 % of a small push's CPU.
     */
    static final class PeerNotAuthenticated extends SSLPeerUnverifiedException {
        PeerNotAuthenticated() {
            super("peer not authenticated");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // thrown and caught inside the server on every request: the trace says nothing
        }
    }

    /** The session, with the answer to "which certificates did the peer present" kept. */
    private static final class KnownPeer implements SSLSession {
        private final SSLSession session;
        private final Certificate[] peerCertificates;
        private final Principal peerPrincipal;

        KnownPeer(SSLSession session) {
            this.session = session;
            Certificate[] certificates;
            Principal principal;
            try {
                certificates = session.getPeerCertificates();
                principal = session.getPeerPrincipal();
            } catch (SSLPeerUnverifiedException e) {
                certificates = null;
                principal = null;
            }
            this.peerCertificates = certificates;
            this.peerPrincipal = principal;
        }

        @Override
        public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
            if (peerCertificates == null) {
                throw new PeerNotAuthenticated();
            }
            return peerCertificates.clone();
        }

        @Override
        public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
            if (peerPrincipal == null) {
                throw new PeerNotAuthenticated();
            }
            return peerPrincipal;
        }

        @Override
        public byte[] getId() {
            return session.getId();
        }

        @Override
        public SSLSessionContext getSessionContext() {
            return session.getSessionContext();
        }

        @Override
        public long getCreationTime() {
            return session.getCreationTime();
        }

        @Override
        public long getLastAccessedTime() {
            return session.getLastAccessedTime();
        }

        @Override
        public void invalidate() {
            session.invalidate();
        }

        @Override
        public boolean isValid() {
            return session.isValid();
        }

        @Override
        public void putValue(String name, Object value) {
            session.putValue(name, value);
        }

        @Override
        public Object getValue(String name) {
            return session.getValue(name);
        }

        @Override
        public void removeValue(String name) {
            session.removeValue(name);
        }

        @Override
        public String[] getValueNames() {
            return session.getValueNames();
        }

        @Override
        public Certificate[] getLocalCertificates() {
            return session.getLocalCertificates();
        }

        @Override
        public Principal getLocalPrincipal() {
            return session.getLocalPrincipal();
        }

        @Override
        public String getCipherSuite() {
            return session.getCipherSuite();
        }

        @Override
        public String getProtocol() {
            return session.getProtocol();
        }

        @Override
        public String getPeerHost() {
            return session.getPeerHost();
        }

        @Override
        public int getPeerPort() {
            return session.getPeerPort();
        }

        @Override
        public int getPacketBufferSize() {
            return session.getPacketBufferSize();
        }

        @Override
        public int getApplicationBufferSize() {
            return session.getApplicationBufferSize();
        }
    }

    // --- everything else: the JDK's socket ---------------------------------------------------

    @Override
    public SSLSession getHandshakeSession() {
        return socket.getHandshakeSession();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return socket.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return socket.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        socket.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return socket.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return socket.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        socket.setEnabledProtocols(protocols);
    }

    @Override
    public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
        socket.addHandshakeCompletedListener(listener);
    }

    @Override
    public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
        socket.removeHandshakeCompletedListener(listener);
    }

    @Override
    public void startHandshake() {
        // deferred to the first read or write: see the class comment
    }

    @Override
    public void setUseClientMode(boolean mode) {
        socket.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return socket.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        socket.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return socket.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        socket.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return socket.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        socket.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return socket.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return socket.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters parameters) {
        socket.setSSLParameters(parameters);
    }

    @Override
    public String getApplicationProtocol() {
        return socket.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return socket.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLSocket, List<String>, String> selector) {
        // the JDK calls the selector with its own socket; callers compare nothing but the protocols
        socket.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return socket.getHandshakeApplicationProtocolSelector();
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        socket.connect(endpoint);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        socket.connect(endpoint, timeout);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        socket.bind(local);
    }

    @Override
    public InetAddress getInetAddress() {
        return socket.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return socket.getLocalAddress();
    }

    @Override
    public int getPort() {
        return socket.getPort();
    }

    @Override
    public int getLocalPort() {
        return socket.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return socket.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return socket.getLocalSocketAddress();
    }

    @Override
    public SocketChannel getChannel() {
        return socket.getChannel();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return socket.getInputStream();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return socket.getOutputStream();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        socket.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return socket.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        socket.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return socket.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        socket.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        socket.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return socket.getOOBInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        socket.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return socket.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        socket.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return socket.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        socket.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return socket.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        socket.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return socket.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        socket.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return socket.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        socket.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return socket.getReuseAddress();
    }

    @Override
    public void close() throws IOException {
        try {
            socket.close();
        } finally {
            transport.close();
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        socket.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (negotiated()) {
            socket.shutdownOutput(); // close_notify
        } else {
            transport.close(); // no TLS to end yet; a read blocked in the handshake fails now
        }
    }

    @Override
    public boolean isConnected() {
        return socket.isConnected();
    }

    @Override
    public boolean isBound() {
        return socket.isBound();
    }

    @Override
    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
        return socket.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return socket.isOutputShutdown();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        socket.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> java.net.Socket setOption(SocketOption<T> name, T value) throws IOException {
        socket.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return socket.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return socket.supportedOptions();
    }

    @Override
    public String toString() {
        return socket.toString();
    }
}
