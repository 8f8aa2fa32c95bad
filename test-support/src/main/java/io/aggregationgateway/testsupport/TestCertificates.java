package io.aggregationgateway.testsupport;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throw-away PEM certificates made with Debian's {@code /usr/bin/openssl} at test time: a CA, and
 * certificates it signs for the server (for {@code 127.0.0.1} and {@code localhost}) and for
 * clients, each as {@code NAME.crt} and {@code NAME.key} (PKCS#8) in a directory the test owns.
 * Also the Java trust and key material to talk to such a server.
 */
public final class TestCertificates {
    private static final String OPENSSL = "/usr/bin/openssl";

    private final Path dir;
    private final String ca;

    private TestCertificates(Path dir, String ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** A new CA named {@code ca} in {@code dir} ({@code ca.crt}, {@code ca.key}). */
    public static TestCertificates createCa(Path dir, String ca) throws IOException, InterruptedException {
        RequiredExecutable.require(OPENSSL, "openssl");
        Files.createDirectories(dir);
        run(dir, OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", ca + ".key", "-out", ca + ".crt", "-days", "2", "-subj", "/CN=" + ca,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new TestCertificates(dir, ca);
    }

    /** A server certificate for 127.0.0.1 and localhost signed by the CA: {@code name.crt}, {@code name.key}. */
    public Path server(String name) throws IOException, InterruptedException {
        return sign(name, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
    }

    /** A client certificate signed by the CA: {@code name.crt}, {@code name.key}. */
    public Path client(String name) throws IOException, InterruptedException {
        return sign(name, "extendedKeyUsage=clientAuth");
    }

    private Path sign(String name, String extensions) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".ext"), extensions + "\n");
        run(dir, OPENSSL, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
        run(dir, OPENSSL, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                "-CAcreateserial", "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt");
        return dir.resolve(name + ".crt");
    }

    public Path dir() {
        return dir;
    }

    public Path caCertificate() {
        return dir.resolve(ca + ".crt");
    }

    public Path certificate(String name) {
        return dir.resolve(name + ".crt");
    }

    public Path key(String name) {
        return dir.resolve(name + ".key");
    }

    /** Trusts certificates the CA signed. */
    public X509TrustManager trustManager() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", readCertificates(caCertificate()).getFirst());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return (X509TrustManager) factory.getTrustManagers()[0];
    }

    /** A client context that trusts the CA and, if {@code clientName} is given, presents that client certificate. */
    public SSLContext clientContext(String clientName) throws IOException, GeneralSecurityException {
        return clientContext(clientName, trustManager());
    }

    /** A client context that trusts what {@code trust} trusts and, if {@code clientName} is given, presents that client certificate. */
    public SSLContext clientContext(String clientName, X509TrustManager trust) throws IOException, GeneralSecurityException {
        KeyManagerFactory keys = null;
        if (clientName != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", readKey(key(clientName)), new char[0],
                    readCertificates(certificate(clientName)).toArray(new X509Certificate[0]));
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), new javax.net.ssl.TrustManager[] {trust}, null);
        return context;
    }

    /** SHA-256 of the DER form of the first certificate in {@code pem}, in hex: what tells two certificates apart. */
    public static String fingerprint(Path pem) throws IOException, GeneralSecurityException {
        return fingerprint(readCertificates(pem).getFirst());
    }

    public static String fingerprint(java.security.cert.Certificate certificate) throws GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    }

    public static List<X509Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(pem)) {
            factory.generateCertificates(in).forEach(c -> out.add((X509Certificate) c));
        }
        return out;
    }

    private static PrivateKey readKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
