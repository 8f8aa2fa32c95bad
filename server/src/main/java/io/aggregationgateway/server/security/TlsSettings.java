package io.aggregationgateway.server.security;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code tls_server_config} of a web config file.
 *
 * @param certFile                 PEM certificate chain, the server's certificate first
 * @param keyFile                  PEM private key of that certificate (PKCS#8, or PKCS#1 for RSA)
 * @param clientAuth               whether and how client certificates are asked for and checked
 * @param clientCaFile             PEM certificates of the CAs client certificates must chain to
 * @param minVersion               lowest TLS version accepted
 * @param maxVersion               highest TLS version accepted
 * @param cipherSuites             TLS 1.2 and older cipher suites, in order of preference (IANA names);
 *                                 empty for the JDK's defaults. TLS 1.3 suites are always the JDK's.
 * @param curves                   key exchange groups in order of preference (JDK names); empty for the defaults
 * @param preferServerCipherSuites whether the server's order of cipher suites wins over the client's
 */
record TlsSettings(Path certFile, Path keyFile, ClientAuth clientAuth, Optional<Path> clientCaFile,
                   TlsVersion minVersion, TlsVersion maxVersion, List<String> cipherSuites, List<String> curves,
                   boolean preferServerCipherSuites) {
    TlsSettings {
        cipherSuites = List.copyOf(cipherSuites);
        curves = List.copyOf(curves);
    }

    /** {@code client_auth_type}, with exporter-toolkit's names and meanings. */
    enum ClientAuth {
        NO_CLIENT_CERT("NoClientCert", false, false, false),
        REQUEST_CLIENT_CERT("RequestClientCert", true, false, false),
        REQUIRE_ANY_CLIENT_CERT("RequireAnyClientCert", true, true, false),
        VERIFY_CLIENT_CERT_IF_GIVEN("VerifyClientCertIfGiven", true, false, true),
        REQUIRE_AND_VERIFY_CLIENT_CERT("RequireAndVerifyClientCert", true, true, true);

        final String configName;
        /** Whether the server asks for a client certificate at all. */
        final boolean asks;
        /** Whether a client without a certificate is turned away. */
        final boolean requires;
        /** Whether the certificate must chain to {@code client_ca_file}. */
        final boolean verifies;

        ClientAuth(String configName, boolean asks, boolean requires, boolean verifies) {
            this.configName = configName;
            this.asks = asks;
            this.requires = requires;
            this.verifies = verifies;
        }

        static Optional<ClientAuth> named(String name) {
            if (name.equals("RequireClientCert")) { // exporter-toolkit's older name for it
                return Optional.of(REQUIRE_ANY_CLIENT_CERT);
            }
            for (ClientAuth auth : values()) {
                if (auth.configName.equals(name)) {
                    return Optional.of(auth);
                }
            }
            return Optional.empty();
        }
    }

    /** {@code min_version} and {@code max_version}: exporter-toolkit's names, the JDK's protocol names. */
    enum TlsVersion {
        TLS10("TLSv1"), TLS11("TLSv1.1"), TLS12("TLSv1.2"), TLS13("TLSv1.3");

        final String protocol;

        TlsVersion(String protocol) {
            this.protocol = protocol;
        }
    }
}
