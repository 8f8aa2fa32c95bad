package io.aggregationgateway.client;

import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** TLS on: pushes reach a TLS endpoint whose certificate the given trust manager accepts; an untrusted one fails at once. */
class TlsTest {
    private static SelfSignedCertificate certificate;

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificate = new SelfSignedCertificate();
    }

    @Test
    void httpsWithATrustedCertificate() throws Exception {
        try (ScriptedHttpGateway gateway = new ScriptedHttpGateway(certificate.serverContext(), Duration.ZERO, 200);
             PushClient client = PushClient.builder().target("https://" + gateway.address()).job("tls").source(Fixtures.rawSource())
                     .transport(Transport.HTTP_PROTOBUF).trustManager(certificate.trustManager).build()) {
            client.push();
            assertEquals(1, gateway.requests.get());
        }
    }

    @Test
    void grpcOverTlsWithATrustedCertificate() throws Exception {
        try (ScriptedGrpcGateway gateway = new ScriptedGrpcGateway(
                TlsServerCredentials.newBuilder().keyManager(certificate.keyManagers.getKeyManagers()).build(), Status.Code.OK);
             PushClient client = PushClient.builder().target(gateway.address()).job("tls").source(Fixtures.rawSource()).tls(true)
                     .trustManager(certificate.trustManager).build()) {
            client.push();
            assertEquals(1, gateway.calls.get());
        }
    }

    @Test
    void anUntrustedCertificateFailsWithoutRetries() throws Exception {
        try (ScriptedHttpGateway https = new ScriptedHttpGateway(certificate.serverContext(), Duration.ZERO, 200);
             ScriptedGrpcGateway grpc = new ScriptedGrpcGateway(
                     TlsServerCredentials.newBuilder().keyManager(certificate.keyManagers.getKeyManagers()).build(), Status.Code.OK);
             PushClient httpClient = PushClient.builder().target("https://" + https.address()).job("tls").source(Fixtures.rawSource())
                     .transport(Transport.HTTP_TEXT).maxAttempts(3).build();
             PushClient grpcClient = PushClient.builder().target(grpc.address()).job("tls").source(Fixtures.rawSource()).tls(true).maxAttempts(3).build()) {
            PushException http = assertThrows(PushException.class, httpClient::push);
            assertEquals(1, http.attempts());
            assertFalse(http.isRetryable());
            PushException overGrpc = assertThrows(PushException.class, grpcClient::push);
            assertEquals(1, overGrpc.attempts(), overGrpc::getMessage);
            assertFalse(overGrpc.isRetryable());
            assertEquals(0, https.requests.get());
            assertEquals(0, grpc.calls.get());
        }
    }
}
