package io.aggregationgateway.server.security;

import io.aggregationgateway.server.config.ConfigException;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The server's TLS as one web config file sets it up: an {@link SSLContext} holding the
 * certificate and key (PEM files, read with Helidon's {@link Keys}) and the trust for client
 * certificates, and the {@link SSLParameters} every connection gets: versions, cipher suites,
 * groups, client authentication.
 *
 * @param context     holds the key and the client trust
 * @param parameters  what each connection is set up with
 * @param certificate the server's certificate (the first of the chain)
 */
record ServerTls(SSLContext context, SSLParameters parameters, X509Certificate certificate) {
    private static final SecureRandom RANDOM = new SecureRandom();

    static ServerTls create(WebConfigSnapshot snapshot) throws ConfigException {
        Path file = snapshot.config().file();
        TlsSettings settings = snapshot.config().tls().orElseThrow();
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            Keys keys = Keys.builder().pem(pem -> pem
                            .certChain(resource(settings.certFile(), snapshot))
                            .key(resource(settings.keyFile(), snapshot)))
                    .build();
            chain = keys.certChain();
            key = keys.privateKey().orElseThrow(() -> new IllegalArgumentException("no private key found"));
        } catch (UnsupportedOperationException e) {
            // Helidon 4.4.0 reads PKCS#8 keys and RSA keys in PKCS#1, not EC keys in SEC 1 form
            throw WebConfigParser.error(file, "tls_server_config.key_file " + settings.keyFile() + ": " + e.getMessage()
                    + "; convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + settings.keyFile() + " -out key.pk8");
        } catch (RuntimeException e) {
            throw WebConfigParser.error(file, "cannot read the certificate " + settings.certFile() + " or key "
                    + settings.keyFile() + " as PEM: " + messages(e));
        }
        if (chain.isEmpty()) {
            throw WebConfigParser.error(file, "tls_server_config.cert_file " + settings.certFile() + " holds no certificate");
        }
        if (!keyMatches(key, chain.getFirst())) {
            throw WebConfigParser.error(file, "tls_server_config.key_file " + settings.keyFile()
                    + " is not the key of the certificate in cert_file " + settings.certFile());
        }
        try {
            char[] password = new char[0];
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("gateway", key, password, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trust(file, settings, snapshot), RANDOM);
            return new ServerTls(context, parameters(file, settings, context), chain.getFirst());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw WebConfigParser.error(file, "cannot set up TLS: " + messages(e));
        }
    }

    /** What an operator reads in the log: the certificate's subject, expiry and SHA-256 fingerprint. */
    String summary() {
        String fingerprint;
        try {
            fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            fingerprint = "?";
        }
        return "certificate " + certificate.getSubjectX500Principal().getName() + ", valid until "
                + certificate.getNotAfter().toInstant() + ", SHA-256 " + fingerprint.substring(0, 16) + "…, client auth "
                + (parameters.getNeedClientAuth() ? "required" : parameters.getWantClientAuth() ? "requested" : "off");
    }

    private static TrustManager[] trust(Path file, TlsSettings settings, WebConfigSnapshot snapshot)
            throws GeneralSecurityException, ConfigException, java.io.IOException {
        if (!settings.clientAuth().asks) {
            return null;
        }
        if (!settings.clientAuth().verifies) {
            return new TrustManager[] {new UnverifiedClients()};
        }
        Path caFile = settings.clientCaFile().orElseThrow();
        List<X509Certificate> authorities;
        try {
            authorities = Keys.builder().pem(pem -> pem.certificates(resource(caFile, snapshot))).build().certs();
        } catch (RuntimeException e) {
            throw WebConfigParser.error(file, "cannot read tls_server_config.client_ca_file " + caFile + " as PEM: " + messages(e));
        }
        if (authorities.isEmpty()) {
            throw WebConfigParser.error(file, "tls_server_config.client_ca_file " + caFile + " holds no certificate");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
            store.setCertificateEntry("ca-" + i, authorities.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static SSLParameters parameters(Path file, TlsSettings settings, SSLContext context) throws ConfigException {
        SSLParameters supported = context.getSupportedSSLParameters();
        SSLParameters parameters = context.getDefaultSSLParameters();
        List<String> protocols = new ArrayList<>();
        for (TlsSettings.TlsVersion version : TlsSettings.TlsVersion.values()) {
            if (version.compareTo(settings.minVersion()) >= 0 && version.compareTo(settings.maxVersion()) <= 0
                    && Arrays.asList(supported.getProtocols()).contains(version.protocol)) {
                protocols.add(version.protocol);
            }
        }
        if (protocols.isEmpty()) {
            throw WebConfigParser.error(file, "this JDK supports none of the TLS versions from "
                    + settings.minVersion() + " to " + settings.maxVersion());
        }
        parameters.setProtocols(protocols.toArray(new String[0]));
        if (settings.cipherSuites().isEmpty()) {
            parameters.setCipherSuites(aes128First(parameters.getCipherSuites()));
        } else {
            Set<String> known = Set.of(supported.getCipherSuites());
            Set<String> suites = new LinkedHashSet<>();
            for (String suite : settings.cipherSuites()) {
                if (!known.contains(suite)) {
                    throw WebConfigParser.error(file, "tls_server_config.cipher_suites: \"" + suite
                            + "\" is not a cipher suite this JDK supports");
                }
                suites.add(suite);
            }
            // as in Go, the list governs TLS 1.2 and older; TLS 1.3 keeps its own suites
            for (String suite : context.getDefaultSSLParameters().getCipherSuites()) {
                if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")) {
                    suites.add(suite);
                }
            }
            parameters.setCipherSuites(suites.toArray(new String[0]));
        }
        if (!settings.curves().isEmpty()) {
            parameters.setNamedGroups(settings.curves().toArray(new String[0]));
        }
        parameters.setUseCipherSuitesOrder(settings.preferServerCipherSuites());
        if (settings.clientAuth().requires) {
            parameters.setNeedClientAuth(true);
        } else if (settings.clientAuth().asks) {
            parameters.setWantClientAuth(true);
        }
        return parameters;
    }

    /**
     * The JDK's suites with TLS 1.3's AES-128-GCM first, as Go (and so exporter-toolkit) orders
     * them: the server's order wins by default, and AES-128 costs less per record than the JDK's
     * first choice, AES-256, at a strength no deployment needs more of.
     */
    static String[] aes128First(String[] suites) {
        List<String> ordered = new ArrayList<>(Arrays.asList(suites));
        if (ordered.remove("TLS_AES_128_GCM_SHA256")) {
            ordered.addFirst("TLS_AES_128_GCM_SHA256");
        }
        return ordered.toArray(new String[0]);
    }

    /** A new engine for one connection, set up as this configuration says. */
    SSLEngine newEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setSSLParameters(parameters);
        return engine;
    }

    private static Resource resource(Path path, WebConfigSnapshot snapshot) {
        return Resource.create(path.toString(), snapshot.files().get(path));
    }

    /** The key signs what the certificate's public key verifies: the pair belongs together. */
    private static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448 sign under their own name
        };
        byte[] probe = "aggregation-gateway key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String messages(Throwable e) {
        StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !out.toString().contains(cause.getMessage())) {
                out.append(": ").append(cause.getMessage());
            }
        }
        return out.toString();
    }

    /**
     * exporter-toolkit's {@code RequestClientCert} and {@code RequireAnyClientCert}: a client
     * certificate is asked for (and, with the latter, required) but not checked against any CA.
     */
    private static final class UnverifiedClients extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("trusts client certificates only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("trusts client certificates only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("trusts client certificates only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
