package io.requestflow.engine.tls;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Server TLS for a listener: TLS 1.3 and 1.2 only, ALPN offering h2 then http/1.1, BoringSSL when it
 * loads (the JDK provider otherwise), and stateless session resumption with tickets whose keys
 * BoringSSL generates and rotates.
 */
public final class ServerTls {
    private ServerTls() {}

    /** A context serving a certificate the local CA issued. */
    public static SslContext context(LocalCa.Issued identity) {
        return build(SslContextBuilder.forServer(identity.key(), identity.chain().toArray(X509Certificate[]::new)));
    }

    /**
     * A context serving a certificate chain and private key from PEM files (a key in PKCS#8, or the
     * PKCS#1 and SEC1 forms Kubernetes TLS Secrets often hold).
     *
     * @throws IllegalArgumentException naming the files when they cannot be read or do not match
     */
    public static SslContext fromPem(Path certificateChain, Path privateKey) {
        try {
            List<X509Certificate> chain = Pem.certificates(certificateChain);
            PrivateKey key = Pem.privateKey(privateKey);
            // BoringSSL would only find a mismatch at the first handshake; say it at start instead
            if (!signsFor(key, chain.getFirst())) throw new IllegalArgumentException("the key is not the certificate's");
            return build(SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new)));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException | IllegalStateException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            String why = root instanceof java.nio.file.NoSuchFileException ? "no such file " + root.getMessage()
                    : root.getMessage();
            throw new IllegalArgumentException("cannot serve TLS with certificate " + certificateChain + " and key "
                    + privateKey + ": " + why + " (expected PEM files: the chain, leaf first, and its"
                    + " unencrypted private key)", e);
        }
    }

    /** Whether a signature by {@code key} verifies with the certificate's public key. */
    private static boolean signsFor(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) return true; // no check for other key types; the handshake will tell
        byte[] probe = "requestflow key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        return verifier.verify(signature);
    }

    private static SslContext build(SslContextBuilder builder) {
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        try {
            SslContext ctx = builder
                    .sslProvider(provider)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                    .build();
            if (ctx.sessionContext() instanceof OpenSslSessionContext openssl) {
                openssl.setTicketKeys(); // empty: BoringSSL makes and rotates the ticket keys itself
            }
            return ctx;
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up server TLS: " + e.getMessage(), e);
        }
    }
}
