package io.aggregationgateway.server.connection;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.http.DirectHandler;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An HTTP/1.x connection as Helidon's HTTP/1.1 connection sees it: its reads come through an
 * {@link Http1RequestFramer}, its writes go out unchanged, except the answer to an HTTP/1.0 request,
 * which goes through an {@link Http10ResponseConverter}.
 *
 * <p>A refused request head is answered here (status, {@code Connection: close}, the reason as text)
 * and the connection then ends as if the client had closed it. A refused body surfaces in the
 * handler reading it as a 400 {@code RequestException} that closes the connection.
 */
final class FramedHttp1 {
    private static final Logger LOG = Logger.getLogger(FramedHttp1.class.getName());

    private final ConnectionContext raw;
    private final GuardedConnection guard;
    private final Http1RequestFramer framer;
    private final ResponseWriter writer;
    private final DataReader reader = DataReader.create(this::next);
    private boolean requestSeen;
    private boolean failed;

    FramedHttp1(ConnectionContext raw, GuardedConnection guard, Http1RequestFramer framer) {
        this.raw = raw;
        this.guard = guard;
        this.framer = framer;
        this.writer = new ResponseWriter(raw.dataWriter());
    }

    ConnectionContext context() {
        return new Context(raw, reader, writer);
    }

    /** The next framed bytes for Helidon, or {@code null} when no more requests come. */
    private byte[] next() {
        while (!failed) {
            boolean head = framer.readingHead();
            byte[] out;
            try {
                out = framer.next();
            } catch (FramingException e) {
                failed = true;
                if (head) {
                    refuse(e);
                    return null;
                }
                throw RequestException.builder()
                        .type(DirectHandler.EventType.BAD_REQUEST)
                        .status(Status.create(e.status(), e.reasonPhrase()))
                        .message(e.getMessage())
                        .safeMessage(true)
                        .setKeepAlive(false)
                        .build();
            }
            if (out != null) {
                if (head) {
                    requestSeen = true;
                    guard.headDone();
                    if (framer.http10()) {
                        writer.convertForHttp10();
                    }
                }
                return out;
            }
            if (framer.done()) {
                return null;
            }
            if (head && requestSeen && !framer.hasUnreadInput()) {
                guard.idle();
            }
            byte[] in = read();
            if (in == null) {
                return null;
            }
            if (head) {
                guard.headStarted();
            }
            framer.feed(in);
        }
        return null;
    }

    /** Bytes the connection brought: first any Helidon read while choosing the protocol, then the socket's. */
    private byte[] read() {
        DataReader rawReader = raw.dataReader();
        try {
            int buffered = rawReader.available();
            return buffered > 0 ? rawReader.readBytes(buffered) : raw.serverSocket().get();
        } catch (RuntimeException e) {
            if (guard.closedHere()) {
                return null; // closed by the watchdog, the idle timeout or shutdown: end quietly
            }
            if (e instanceof UncheckedIOException) {
                throw new ServerConnectionException("Failed to get data from socket", e);
            }
            throw e;
        }
    }

    private void refuse(FramingException e) {
        LOG.log(Level.FINE, () -> "refused request from " + raw.remotePeer().address() + ": " + e.status() + " " + e.getMessage());
        byte[] body = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + e.status() + " " + e.reasonPhrase() + "\r\n"
                + "Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        try {
            raw.dataWriter().writeNow(BufferData.create(BufferData.create(headBytes), BufferData.create(body)));
        } catch (RuntimeException ignored) {
            // the client is gone; the connection ends either way
        }
    }

    /** Writes through, or converted for an HTTP/1.0 client once the connection's last request came as one. */
    private static final class ResponseWriter implements DataWriter {
        private final DataWriter delegate;
        private volatile Http10ResponseConverter converter;

        ResponseWriter(DataWriter delegate) {
            this.delegate = delegate;
        }

        void convertForHttp10() {
            converter = new Http10ResponseConverter();
        }

        private BufferData convert(BufferData buffer) {
            return BufferData.create(converter.convert(buffer.readBytes()));
        }

        private BufferData[] convert(BufferData... buffers) {
            BufferData[] converted = new BufferData[buffers.length];
            for (int i = 0; i < buffers.length; i++) {
                converted[i] = convert(buffers[i]);
            }
            return converted;
        }

        @Override
        public void write(BufferData... buffers) {
            delegate.write(converter == null ? buffers : convert(buffers));
        }

        @Override
        public void write(BufferData buffer) {
            delegate.write(converter == null ? buffer : convert(buffer));
        }

        @Override
        public void writeNow(BufferData... buffers) {
            delegate.writeNow(converter == null ? buffers : convert(buffers));
        }

        @Override
        public void writeNow(BufferData buffer) {
            delegate.writeNow(converter == null ? buffer : convert(buffer));
        }

        @Override
        public void flush() {
            delegate.flush();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** The raw connection with the framed reader and the converting writer. */
    private record Context(ConnectionContext raw, DataReader dataReader, DataWriter dataWriter) implements ConnectionContext {
        @Override
        public ListenerContext listenerContext() {
            return raw.listenerContext();
        }

        @Override
        public ExecutorService executor() {
            return raw.executor();
        }

        @Override
        public Router router() {
            return raw.router();
        }

        @Override
        public Optional<ProxyProtocolData> proxyProtocolData() {
            return raw.proxyProtocolData();
        }

        @Override
        public HelidonSocket serverSocket() {
            return raw.serverSocket();
        }

        @Override
        public PeerInfo remotePeer() {
            return raw.remotePeer();
        }

        @Override
        public PeerInfo localPeer() {
            return raw.localPeer();
        }

        @Override
        public boolean isSecure() {
            return raw.isSecure();
        }

        @Override
        public String socketId() {
            return raw.socketId();
        }

        @Override
        public String childSocketId() {
            return raw.childSocketId();
        }
    }
}
