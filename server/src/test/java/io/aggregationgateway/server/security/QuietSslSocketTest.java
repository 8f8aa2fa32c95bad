package io.aggregationgateway.server.security;

import io.aggregationgateway.testsupport.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server socket: its handshake waits for the first read, its session has the peer's
 * certificates looked up once and everything else the JDK's, and closing it ends the TCP connection.
 */
class QuietSslSocketTest {
    @Test
    void theHandshakeWaitsForTheFirstReadAndTheSessionAnswersLikeTheJdks(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.createCa(dir, "ca");
        certificates.server("server");
        certificates.client("client");
        SSLContext server = certificates.clientContext("server"); // holds the server's key, trusts the CA
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            for (String clientName : new String[] {null, "client"}) {
                CountDownLatch connected = new CountDownLatch(1);
                CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                    try (SSLSocket socket = (SSLSocket) certificates.clientContext(clientName).getSocketFactory()
                            .createSocket("127.0.0.1", listener.getLocalPort())) {
                        socket.setSoTimeout(20_000);
                        connected.await(20, TimeUnit.SECONDS);
                        socket.startHandshake();
                        socket.getOutputStream().write('?');
                        socket.getOutputStream().flush();
                        socket.getInputStream().read();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                try (Socket accepted = listener.accept()) {
                    accepted.setSoTimeout(20_000);
                    SSLSocket jdk = (SSLSocket) server.getSocketFactory().createSocket(accepted, null, false);
                    jdk.setUseClientMode(false);
                    jdk.setWantClientAuth(true);
                    QuietSslSocket quiet = new QuietSslSocket(jdk, accepted);
                    quiet.startHandshake(); // returns at once: the client has not even begun
                    SSLSession before = quiet.getSession();
                    assertFalse(before.isValid());
                    assertEquals("SSL_NULL_WITH_NULL_NULL", before.getCipherSuite());
                    assertArrayEquals(new byte[0], before.getId());
                    assertThrows(SSLPeerUnverifiedException.class, before::getPeerCertificates);
                    connected.countDown();

                    assertEquals('?', quiet.getInputStream().read(), "the first read runs the handshake");
                    SSLSession session = quiet.getSession();
                    assertTrue(session.isValid());
                    assertSame(session, quiet.getSession(), "one wrapper per JDK session");
                    assertEquals(jdk.getSession().getCipherSuite(), session.getCipherSuite());
                    if (clientName == null) {
                        SSLPeerUnverifiedException none = assertThrows(SSLPeerUnverifiedException.class,
                                session::getPeerCertificates);
                        assertEquals("peer not authenticated", none.getMessage());
                        assertEquals(0, none.getStackTrace().length,
                                "asked on every request: thrown without the cost of a stack trace");
                        assertThrows(SSLPeerUnverifiedException.class, session::getPeerPrincipal);
                    } else {
                        assertEquals(TestCertificates.fingerprint(certificates.certificate("client")),
                                TestCertificates.fingerprint(session.getPeerCertificates()[0]));
                        assertEquals(jdk.getSession().getPeerPrincipal(), session.getPeerPrincipal());
                    }
                    quiet.getOutputStream().write('x');
                    quiet.getOutputStream().flush();
                }
                client.get(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void closingItDuringTheHandshakeEndsTheReadAndTheTcpConnection(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.createCa(dir, "ca");
        certificates.server("server");
        SSLContext server = certificates.clientContext("server");
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket silentClient = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
            accepted.setSoTimeout(20_000);
            SSLSocket jdk = (SSLSocket) server.getSocketFactory().createSocket(accepted, null, false);
            jdk.setUseClientMode(false);
            QuietSslSocket quiet = new QuietSslSocket(jdk, accepted);
            CompletableFuture<Object> reading = CompletableFuture.supplyAsync(() -> {
                try {
                    return quiet.getInputStream().read(); // blocks in the handshake: the client sends nothing
                } catch (IOException e) {
                    return e;
                }
            });
            Thread.sleep(200);
            long start = System.nanoTime();
            quiet.shutdownOutput(); // what Helidon's socket does first when the gateway closes a connection
            Object outcome = reading.get(10, TimeUnit.SECONDS);
            assertTrue(outcome instanceof IOException || Integer.valueOf(-1).equals(outcome), String.valueOf(outcome));
            assertTrue((System.nanoTime() - start) < TimeUnit.SECONDS.toNanos(5), "the blocked read ended at once");
            assertTrue(accepted.isClosed());
            silentClient.setSoTimeout(10_000);
            assertEquals(-1, silentClient.getInputStream().read(), "the client sees the connection end");
        }
    }
}
