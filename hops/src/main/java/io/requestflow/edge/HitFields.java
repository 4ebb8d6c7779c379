package io.requestflow.edge;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.Map;

/**
 * What serving one stored response needs beyond its bytes, prepared when it is stored rather than on
 * every hit: its header fields encoded once ({@link StoredHeaders.Block}, without Content-Length), the
 * Content-Length of each body form, the gzip form's weakened ETag, and the Age and Cache-Status values
 * of a fresh hit, which change once a second, not once a request.
 */
final class HitFields {
    private final StoredHeaders.Block block;
    private final HttpHeaders overflow;
    /** Content-Length of the identity body, and of the gzip body (null without one). */
    final Map.Entry<CharSequence, CharSequence> identityLength;
    final Map.Entry<CharSequence, CharSequence> gzipLength;
    /** The ETag of the gzip form (RFC 9110 section 8.8.3: another encoding is another representation), or null. */
    final Map.Entry<CharSequence, CharSequence> gzipEtag;
    private volatile FreshHit fresh;
    static final AsciiString AGE = AsciiString.cached("age");
    static final AsciiString CACHE_STATUS = AsciiString.cached("cache-status");

    /** Age and Cache-Status of a fresh hit at one age, in whole seconds. */
    record FreshHit(long age, Map.Entry<CharSequence, CharSequence> ageField,
                    Map.Entry<CharSequence, CharSequence> cacheStatusField) {}

    HitFields(HttpHeaders stored, byte[] body, byte[] gzip) {
        HttpHeaders fields = stored.copy().remove("content-length");
        if (fields.size() <= StoredHeaders.MAX_FIELDS) {
            this.block = new StoredHeaders.Block(fields);
            this.overflow = null;
        } else {
            this.block = null;
            this.overflow = fields;
        }
        this.identityLength = field(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
        this.gzipLength = gzip == null ? null : field(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(gzip.length));
        String etag = stored.get("etag");
        this.gzipEtag = gzip == null || etag == null ? null : field(HttpHeaderNames.ETAG, Gzip.weakened(etag));
    }

    static Map.Entry<CharSequence, CharSequence> field(AsciiString name, String value) {
        return new SimpleImmutableEntry<>(name, AsciiString.of(value));
    }

    /** Fresh headers for one answer: the stored fields shared, this answer's changes its own. */
    HttpHeaders headers() {
        return block != null ? new StoredHeaders(block) : overflow.copy();
    }

    /** Sets a prepared field on {@code h}: shared as it is on stored headers, copied on an overflow copy. */
    static void put(HttpHeaders h, Map.Entry<CharSequence, CharSequence> field) {
        if (h instanceof StoredHeaders stored) stored.put(field);
        else h.set(field.getKey(), field.getValue());
    }

    /** Age and Cache-Status for a fresh hit at {@code age} seconds with {@code ttl} left; made once per second. */
    FreshHit fresh(long age, long ttl) {
        FreshHit f = fresh;
        if (f == null || f.age() != age) {
            f = new FreshHit(age, field(AGE, Long.toString(age)), field(CACHE_STATUS, CacheStage.NAME + "; hit; ttl=" + ttl));
            fresh = f;
        }
        return f;
    }
}
