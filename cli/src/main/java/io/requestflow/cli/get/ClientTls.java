package io.requestflow.cli.get;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The client TLS context: TLS 1.3/1.2 with host name verification, trusting the system's CAs plus the
 * deployment's own CA when {@code var/ca/ca.pem} exists (the CA that signs the edge's certificate).
 */
public final class ClientTls {
    /** Where the deployment's CA certificate lives: the default data directory under the project home. */
    public static final Path DEPLOYMENT_CA = Path.of(System.getProperty("requestflow.home", "."))
            .resolve("var").resolve("ca").resolve("ca.pem");

    private ClientTls() {}

    /** A client context trusting the system CAs and, if the file exists, the CA(s) in {@code extraCaPem}. */
    public static SslContext context(Path extraCaPem) throws ProbeException {
        return context(extraCaPem, List.of());
    }

    /**
     * The same, offering {@code alpn} protocols in preference order (for example h2, http/1.1); an empty
     * list offers none, and the server speaks HTTP/1.1.
     */
    public static SslContext context(Path extraCaPem, List<String> alpn) throws ProbeException {
        List<X509Certificate> trusted = new ArrayList<>(systemTrust());
        if (extraCaPem != null && Files.isRegularFile(extraCaPem)) trusted.addAll(readPem(extraCaPem));
        try {
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (!alpn.isEmpty()) {
                builder.applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                        io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
            }
            return builder
                    .trustManager(trusted)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (SSLException e) {
            throw new ProbeException(ProbeException.Phase.SETUP, false, "cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The CAs the JDK trusts by default (its cacerts, or what javax.net.ssl.trustStore names). */
    static List<X509Certificate> systemTrust() throws ProbeException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            List<X509Certificate> out = new ArrayList<>();
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) out.addAll(Arrays.asList(x.getAcceptedIssuers()));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new ProbeException(ProbeException.Phase.SETUP, false,
                    "cannot load the system trust store: " + e.getMessage(), e);
        }
    }

    /** Every certificate in a PEM file. */
    static List<X509Certificate> readPem(Path pem) throws ProbeException {
        try (InputStream in = Files.newInputStream(pem)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                if (c instanceof X509Certificate x) out.add(x);
            }
            if (out.isEmpty()) throw new ProbeException(ProbeException.Phase.SETUP, pem + " holds no certificate");
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw new ProbeException(ProbeException.Phase.SETUP, false,
                    "cannot read the CA certificate " + pem + ": " + e.getMessage(), e);
        }
    }
}
