package io.aggregationgateway.server.security;

import io.aggregationgateway.testsupport.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The server socket's session: the peer's certificates looked up once, everything else the JDK's. */
class QuietSslSocketTest {
    @Test
    void theSessionAnswersLikeTheJdksWithoutAskingItAgain(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.createCa(dir, "ca");
        certificates.server("server");
        certificates.client("client");
        SSLContext server = certificates.clientContext("server"); // holds the server's key, trusts the CA
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            for (String clientName : new String[] {null, "client"}) {
                CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                    try (SSLSocket socket = (SSLSocket) certificates.clientContext(clientName).getSocketFactory()
                            .createSocket("127.0.0.1", listener.getLocalPort())) {
                        socket.startHandshake();
                        socket.getInputStream().read();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                try (Socket accepted = listener.accept()) {
                    SSLSocket jdk = (SSLSocket) server.getSocketFactory().createSocket(accepted, null, false);
                    jdk.setUseClientMode(false);
                    jdk.setWantClientAuth(true);
                    QuietSslSocket quiet = new QuietSslSocket(jdk);
                    quiet.startHandshake();
                    SSLSession session = quiet.getSession();
                    assertSame(session, quiet.getSession(), "one wrapper per JDK session");
                    assertEquals(jdk.getSession().getCipherSuite(), session.getCipherSuite());
                    if (clientName == null) {
                        assertThrows(SSLPeerUnverifiedException.class, session::getPeerCertificates);
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
}
