package io.requestflow.edge;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * What serving one stored response needs beyond its bytes, prepared when it is stored rather than on
 * every hit: its header fields encoded once ({@link StoredHeaders.Block}, without Content-Length), the
 * Content-Length of each body form, the gzip form's weakened ETag, and the Age and Cache-Status values
 * of a fresh hit, which change once a second, not once a request.
 */
final class HitFields {
    private final StoredHeaders.Block block;
    private final HttpHeaders overflow;
    final AsciiString identityLength;
    final AsciiString gzipLength;
    /** The ETag of the gzip form (RFC 9110 section 8.8.3: another encoding is another representation), or null. */
    final AsciiString gzipEtag;
    private volatile FreshHit fresh;

    /** Age and Cache-Status of a fresh hit at one age, in whole seconds. */
    record FreshHit(long age, AsciiString ageText, AsciiString cacheStatus) {}

    HitFields(HttpHeaders stored, byte[] body, byte[] gzip) {
        HttpHeaders fields = stored.copy().remove("content-length");
        if (fields.size() <= StoredHeaders.MAX_FIELDS) {
            this.block = new StoredHeaders.Block(fields);
            this.overflow = null;
        } else {
            this.block = null;
            this.overflow = fields;
        }
        this.identityLength = AsciiString.of(Integer.toString(body.length));
        this.gzipLength = gzip == null ? null : AsciiString.of(Integer.toString(gzip.length));
        String etag = stored.get("etag");
        this.gzipEtag = gzip == null || etag == null ? null : AsciiString.of(Gzip.weakened(etag));
    }

    /** Fresh headers for one answer: the stored fields shared, this answer's changes its own. */
    HttpHeaders headers() {
        return block != null ? new StoredHeaders(block) : overflow.copy();
    }

    /** Age and Cache-Status for a fresh hit at {@code age} seconds with {@code ttl} left; made once per second. */
    FreshHit fresh(long age, long ttl) {
        FreshHit f = fresh;
        if (f == null || f.age() != age) {
            f = new FreshHit(age, AsciiString.of(Long.toString(age)),
                    AsciiString.of(CacheStage.NAME + "; hit; ttl=" + ttl));
            fresh = f;
        }
        return f;
    }
}
