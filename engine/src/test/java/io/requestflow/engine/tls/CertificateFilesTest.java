package io.requestflow.engine.tls;

import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.server.HttpServer;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A listener serving certificate files follows their replacement, and keeps serving through a bad one. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CertificateFilesTest {
    @TempDir
    Path dir;

    @Test
    void aReplacedCertificateServesFromTheNextConnectionAndABadReplacementChangesNothing() throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir.resolve("ca"));
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        LocalCa.Issued first = ca.issue(List.of("localhost"));
        write(first, cert, key, true);
        CertificateFiles files = new CertificateFiles(cert, key, Duration.ZERO); // look at every connection
        SSLContext trust = Http.trusting(ca.certificate());
        try (Engine engine = new Engine(1, 100);
             HttpServer server = HttpServer.start("tls", new HostPort("127.0.0.1", 0), ServerConfig.defaults(),
                     engine.group(), request -> CompletableFuture.completedFuture(Response.empty(204)), files)) {
            int port = server.address().getPort();
            assertThat(servedSerial(trust, port)).isEqualTo(serial(first));

            LocalCa.Issued renewed = ca.issue(List.of("localhost"));
            write(renewed, cert, key);
            assertThat(servedSerial(trust, port)).as("the renewal serves at once").isEqualTo(serial(renewed));

            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
            assertThat(servedSerial(trust, port)).as("a broken renewal keeps the certificate in use")
                    .isEqualTo(serial(renewed));

            LocalCa.Issued mended = ca.issue(List.of("localhost"));
            write(mended, cert, key);
            assertThat(servedSerial(trust, port)).isEqualTo(serial(mended));
        }
    }

    @Test
    void filesThatCannotServeAreRefusedAtStartNamingThem() throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir.resolve("ca"));
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        write(ca.issue(List.of("localhost")), cert, key);
        Path otherKey = dir.resolve("other.key");
        write(ca.issue(List.of("localhost")), dir.resolve("other.crt"), otherKey);

        assertThatThrownBy(() -> new CertificateFiles(cert, otherKey, CertificateFiles.RECHECK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(cert.toString()).hasMessageContaining(otherKey.toString());
        assertThatThrownBy(() -> new CertificateFiles(dir.resolve("missing.crt"), key, CertificateFiles.RECHECK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.crt");
    }

    /**
     * The chain, leaf first, and the key: in its traditional SEC1 form ({@code EC PRIVATE KEY}, as
     * openssl and Kubernetes TLS Secrets often hold it) when {@code sec1}, else PKCS#8.
     */
    private static void write(LocalCa.Issued issued, Path cert, Path key, boolean sec1) throws IOException {
        Path certTmp = cert.resolveSibling(cert.getFileName() + ".new");
        Path keyTmp = key.resolveSibling(key.getFileName() + ".new");
        Files.writeString(certTmp, pem(issued.chain().toArray()));
        Files.writeString(keyTmp, sec1 ? sec1(issued.key()) : pem(new JcaPKCS8Generator(issued.key(), null)));
        Files.move(keyTmp, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(certTmp, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void write(LocalCa.Issued issued, Path cert, Path key) throws IOException {
        write(issued, cert, key, false);
    }

    /** RFC 5915 ECPrivateKey naming its curve, as {@code openssl ec} writes it. */
    private static String sec1(PrivateKey key) throws IOException {
        ECPrivateKey ec = (ECPrivateKey) key;
        var structure = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(),
                new X962Parameters(SECObjectIdentifiers.secp256r1));
        return pem(new PemObject("EC PRIVATE KEY", structure.getEncoded()));
    }

    private static String pem(Object... objects) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object o : objects) writer.writeObject(o);
        }
        return out.toString();
    }

    private static BigInteger serial(LocalCa.Issued issued) {
        return issued.chain().getFirst().getSerialNumber();
    }

    private static BigInteger servedSerial(SSLContext trust, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
