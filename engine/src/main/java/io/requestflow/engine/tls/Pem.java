package io.requestflow.engine.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/** Reading PEM files: private keys in PKCS#8 or the traditional PKCS#1 (RSA) and SEC1 (EC) forms, and certificates. */
final class Pem {
    private Pem() {}

    static PrivateKey privateKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter c = new JcaPEMKeyConverter();
            // the private half alone: a SEC1 key may omit its public key
            if (o instanceof PEMKeyPair kp) return c.getPrivateKey(kp.getPrivateKeyInfo());
            if (o instanceof PrivateKeyInfo info) return c.getPrivateKey(info);
            throw new IOException(file + " holds no unencrypted private key");
        }
    }

    /** Every certificate in the file, in order (a chain: leaf first). */
    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) throw new IOException(file + " holds no certificate");
            return chain;
        }
    }
}
