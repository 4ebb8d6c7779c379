package io.requestflow.engine.tls;

import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A server certificate and key from PEM files that are replaced while the server runs (a renewed
 * certificate, a Kubernetes TLS Secret updated in its volume): each new connection asks {@link #get},
 * which at most every {@code recheck} looks whether either file changed (modification time, size, or
 * which file a symlink points at) and if so builds a new context. A replacement that cannot be read,
 * or whose key does not match, is logged and the certificate in use stays: a bad renewal must not take
 * HTTPS down.
 */
public final class CertificateFiles implements Supplier<SslContext> {
    /** How often the files are looked at; a renewal serves from the next connection after that. */
    public static final Duration RECHECK = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(CertificateFiles.class);

    private final Path certificateChain;
    private final Path privateKey;
    private final long recheckNanos;
    private volatile SslContext context;
    private volatile List<Object> loadedStamp;
    private volatile long checkedAtNanos;

    /** Loads both files now; throws {@link IllegalArgumentException} naming them when they cannot serve. */
    public CertificateFiles(Path certificateChain, Path privateKey, Duration recheck) {
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
        this.recheckNanos = recheck.toNanos();
        this.loadedStamp = stamp();
        this.context = ServerTls.fromPem(certificateChain, privateKey);
        this.checkedAtNanos = System.nanoTime();
    }

    @Override
    public SslContext get() {
        long now = System.nanoTime();
        if (now - checkedAtNanos >= recheckNanos) {
            checkedAtNanos = now;
            reloadIfChanged();
        }
        return context;
    }

    private synchronized void reloadIfChanged() {
        List<Object> stamp = stamp();
        if (Objects.equals(stamp, loadedStamp)) return;
        try {
            context = ServerTls.fromPem(certificateChain, privateKey);
            loadedStamp = stamp;
            LOG.info("TLS: serving the replaced certificate {} from the next connection on", certificateChain);
        } catch (IllegalArgumentException e) {
            loadedStamp = stamp; // say it once per replacement, not on every check
            LOG.warn("TLS: the replaced certificate files cannot serve, keeping the previous ones: {}", e.getMessage());
        }
    }

    /** What identifies the files' current contents without reading them; null parts for missing files. */
    private List<Object> stamp() {
        return java.util.Arrays.asList(attributes(certificateChain), attributes(privateKey));
    }

    private static Object attributes(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class); // follows symlinks
            return List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
        } catch (IOException e) {
            return null;
        }
    }
}
