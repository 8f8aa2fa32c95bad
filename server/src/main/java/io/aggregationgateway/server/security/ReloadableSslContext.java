package io.aggregationgateway.server.security;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.function.Supplier;

/**
 * An {@link SSLContext} that sets up every new connection with the {@link ServerTls} in force at
 * that moment, parameters included: replacing it (a renewed certificate, other client CAs, other
 * versions or cipher suites) changes the next handshake without a restart; connections already
 * open keep what they started with.
 *
 * <p>Why not Helidon's {@code WebServer.reloadTls}: in 4.4.0 it swaps only the key and trust
 * managers, and a listener with stream sockets ({@code useNio(false)}, as the gateway runs) never
 * applies the configured {@code SSLParameters} at all: it layers each connection with
 * {@code sslContext().getSocketFactory().createSocket(socket, null, false)} and nothing else, so
 * client authentication, versions and cipher suites of the TLS config would be ignored. The
 * socket factory of this context applies them itself, and hands out {@link QuietSslSocket}s, whose
 * handshake the gateway's front door runs.
 */
final class ReloadableSslContext extends SSLContext {
    ReloadableSslContext(Supplier<ServerTls> current) {
        super(new Spi(current), current.get().context().getProvider(), current.get().context().getProtocol());
    }

    private static final class Spi extends SSLContextSpi {
        private final Supplier<ServerTls> current;

        Spi(Supplier<ServerTls> current) {
            this.current = current;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            throw new UnsupportedOperationException("set up from the web config file; it cannot be initialised again");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new Sockets(current);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return new ServerSockets(current);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return current.get().newEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            ServerTls tls = current.get();
            SSLEngine engine = tls.context().createSSLEngine(host, port);
            engine.setSSLParameters(tls.parameters());
            return engine;
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return current.get().context().getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return current.get().context().getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return current.get().parameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return current.get().context().getSupportedSSLParameters();
        }
    }

    /** Server-side sockets layered over accepted connections, each set up with the parameters in force. */
    private static final class Sockets extends SSLSocketFactory {
        private final Supplier<ServerTls> current;

        Sockets(Supplier<ServerTls> current) {
            this.current = current;
        }

        private static Socket configured(Socket socket, ServerTls tls) {
            ((SSLSocket) socket).setSSLParameters(tls.parameters());
            return socket;
        }

        /**
         * What Helidon layers over each accepted connection. The JDK's socket reads the connection
         * through a {@link ReadAhead} (given as the bytes "consumed" before the handshake, which the
         * JDK reads first, until their end, which is the connection's), so that one read brings a
         * whole small record instead of one for its header and one for its body.
         */
        @Override
        public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
            ServerTls tls = current.get();
            InputStream records = consumed != null ? consumed : new ReadAhead(socket.getInputStream());
            return new QuietSslSocket((SSLSocket) configured(tls.context().getSocketFactory()
                    .createSocket(socket, records, autoClose), tls), socket);
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            ServerTls tls = current.get();
            return configured(tls.context().getSocketFactory().createSocket(socket, host, port, autoClose), tls);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            ServerTls tls = current.get();
            return configured(tls.context().getSocketFactory().createSocket(host, port), tls);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            ServerTls tls = current.get();
            return configured(tls.context().getSocketFactory().createSocket(host, port, localHost, localPort), tls);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            ServerTls tls = current.get();
            return configured(tls.context().getSocketFactory().createSocket(host, port), tls);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            ServerTls tls = current.get();
            return configured(tls.context().getSocketFactory().createSocket(address, port, localAddress, localPort), tls);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return current.get().parameters().getCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return current.get().context().getSupportedSSLParameters().getCipherSuites();
        }
    }

    /** Listening sockets set up with the parameters in force when they are made. */
    private static final class ServerSockets extends SSLServerSocketFactory {
        private final Supplier<ServerTls> current;

        ServerSockets(Supplier<ServerTls> current) {
            this.current = current;
        }

        private ServerSocket configured(ServerSocket socket, ServerTls tls) {
            ((SSLServerSocket) socket).setSSLParameters(tls.parameters());
            return socket;
        }

        @Override
        public ServerSocket createServerSocket() throws IOException {
            ServerTls tls = current.get();
            return configured(tls.context().getServerSocketFactory().createServerSocket(), tls);
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            ServerTls tls = current.get();
            return configured(tls.context().getServerSocketFactory().createServerSocket(port), tls);
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            ServerTls tls = current.get();
            return configured(tls.context().getServerSocketFactory().createServerSocket(port, backlog), tls);
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
            ServerTls tls = current.get();
            return configured(tls.context().getServerSocketFactory().createServerSocket(port, backlog, ifAddress), tls);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return current.get().parameters().getCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return current.get().context().getSupportedSSLParameters().getCipherSuites();
        }
    }
}
