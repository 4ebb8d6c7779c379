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
import java.security.cert.X509Certificate;

/**
 * Server TLS for a listener: TLS 1.3 and 1.2 only, ALPN offering h2 then http/1.1, BoringSSL when it
 * loads (the JDK provider otherwise), and stateless session resumption with tickets whose keys
 * BoringSSL generates and rotates.
 */
public final class ServerTls {
    private ServerTls() {}

    public static SslContext context(LocalCa.Issued identity) {
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        try {
            SslContext ctx = SslContextBuilder
                    .forServer(identity.key(), identity.chain().toArray(X509Certificate[]::new))
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
