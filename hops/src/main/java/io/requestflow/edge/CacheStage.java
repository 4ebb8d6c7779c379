package io.requestflow.edge;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_ENCODING;
import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH;
import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE;
import static io.netty.handler.codec.http.HttpHeaderNames.ETAG;
import java.util.stream.Collectors;

/**
 * The edge's RFC 9111 shared cache: answers GET and HEAD from stored responses while they are fresh (or
 * stale where the response and the request allow it), revalidates with the stored validators, collapses
 * concurrent misses, and stores what may be stored. Every answer says what happened in
 * {@code Cache-Status} (RFC 9211), {@code X-Cache} and {@code Age}.
 */
public final class CacheStage implements Stage {
    /** This cache's name in Cache-Status. */
    static final String NAME = "edge";
    private static final CacheControl NO_CACHE = CacheControl.parse(java.util.List.of("no-cache"));
    private static final AsciiString X_CACHE = AsciiString.cached("x-cache");
    private static final Map.Entry<CharSequence, CharSequence> X_CACHE_HIT = HitFields.field(X_CACHE, "HIT");
    private static final Map.Entry<CharSequence, CharSequence> CONTENT_ENCODING_GZIP =
            HitFields.field(CONTENT_ENCODING, "gzip");

    private final HttpCache cache;
    private final Freshness freshness;
    private final Storability storability;
    private final Collapser collapser;
    private final int compressMinBytes;
    private final LongSupplier clock;
    private final Set<HttpCache.Key> revalidating = ConcurrentHashMap.newKeySet();

    public CacheStage(HttpCache cache, CacheConfig config, LongSupplier clock) {
        this.cache = cache;
        this.freshness = new Freshness(config.heuristicMaxSeconds());
        // an object larger than the whole store would only be evicted again, after being served once as a HIT
        this.storability = new Storability((int) Math.min(config.maxObjectBytes(), config.maxBytes()));
        this.collapser = new Collapser(config.collapseWaitMs());
        this.compressMinBytes = config.compressMinBytes();
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange ex, Chain next) {
        Request req = ex.request();
        String method = req.method();
        boolean head = method.equals("HEAD");
        if (!head && !method.equals("GET")) {
            return next.proceed(ex).thenApply(r -> label(ex, r, "BYPASS", "fwd=method"));
        }
        CacheControl rcc = requestDirectives(req);
        HttpCache.Key key = HttpCache.key(req);
        long now = clock.getAsLong();
        StoredResponse stored = cache.lookup(key, req);
        if (stored != null) return withStored(ex, next, rcc, key, stored, now);
        if (rcc.has("only-if-cached")) return Stage.answer(label(ex, notCached(), "MISS", "fwd=miss; detail=only-if-cached"));
        String miss = cache.contains(key) ? "vary-miss" : "uri-miss";
        if (head) return next.proceed(ex).thenApply(r -> label(ex, r, "MISS", "fwd=" + miss));
        CompletableFuture<Void> wait = collapser.joinOrLead(key);
        if (wait == null) return fetch(ex, next, rcc, key, miss, true);
        return wait.thenCompose(ignored -> {
            long later = clock.getAsLong();
            StoredResponse led = cache.lookup(key, req);
            if (led != null && led.ttlSeconds(later) > 0 && !led.noCache() && !rcc.has("no-cache")) {
                cache.hit(led.body().length);
                return Stage.answer(serve(ex, led, later, "HIT", "hit; collapsed"));
            }
            return fetch(ex, next, rcc, key, miss, false);
        });
    }

    /** Request directives; {@code Pragma: no-cache} counts as {@code no-cache} when there is no Cache-Control. */
    static CacheControl requestDirectives(Request req) {
        if (!req.headers().contains("cache-control")) {
            String pragma = req.header("pragma");
            return pragma != null && pragma.toLowerCase(java.util.Locale.ROOT).contains("no-cache")
                    ? NO_CACHE : CacheControl.EMPTY;
        }
        return CacheControl.parse(req.headers().getAll("cache-control"));
    }

    private CompletableFuture<Response> withStored(Exchange ex, Chain next, CacheControl rcc, HttpCache.Key key,
                                                   StoredResponse s, long now) {
        long ttl = s.ttlSeconds(now);
        long age = s.ageSeconds(now);
        boolean validate = s.noCache() || rcc.has("no-cache");
        if (!validate) {
            long maxAge = rcc.seconds("max-age");
            long minFresh = rcc.seconds("min-fresh");
            validate = (maxAge >= 0 && age > maxAge) || (minFresh >= 0 && ttl < minFresh);
        }
        if (!validate && ttl > 0) {
            cache.hit(s.body().length);
            return Stage.answer(serveFresh(ex, s, now));
        }
        long staleness = -ttl;
        if (!validate && ttl <= 0 && !s.mustRevalidate()) {
            if (rcc.has("max-stale")) {
                long allowed = rcc.value("max-stale") == null ? Long.MAX_VALUE : rcc.seconds("max-stale");
                if (staleness <= allowed) {
                    cache.hit(s.body().length);
                    return Stage.answer(serve(ex, s, now, "STALE", "hit; ttl=" + ttl + "; detail=max-stale"));
                }
            }
            long swr = s.cc().seconds("stale-while-revalidate");
            if (swr > 0 && staleness <= swr) {
                revalidateInBackground(ex, next, rcc, key, s);
                cache.hit(s.body().length);
                return Stage.answer(serve(ex, s, now, "STALE", "hit; ttl=" + ttl + "; detail=stale-while-revalidate"));
            }
        }
        if (rcc.has("only-if-cached")) {
            return Stage.answer(label(ex, notCached(), "MISS", "fwd=miss; detail=only-if-cached"));
        }
        return revalidate(ex, next, rcc, key, s, staleness, ttl > 0 ? "request" : "stale");
    }

    private CompletableFuture<Response> revalidate(Exchange ex, Chain next, CacheControl rcc, HttpCache.Key key,
                                                   StoredResponse s, long staleness, String why) {
        Request original = ex.request();
        // without a validator the check is a plain GET; its failure may still be answered stale
        ex.request(s.hasValidator() ? Revalidation.conditional(original, s) : asGet(original));
        long requestTime = clock.getAsLong();
        return next.proceed(ex).thenApply(r -> {
            long responseTime = clock.getAsLong();
            ex.request(original);
            if (r.status() == 304) {
                StoredResponse refreshed = refresh(s, r, requestTime, responseTime);
                cache.put(key, refreshed);
                cache.hit(s.body().length);
                return withOriginTiming(serve(ex, refreshed, responseTime, "REVALIDATED",
                        "fwd=" + why + "; fwd-status=304"), r);
            }
            if (r.status() >= 500 && staleIfError(s, rcc, staleness)) {
                cache.hit(s.body().length);
                return withOriginTiming(serve(ex, s, responseTime, "STALE", "fwd=" + why + "; fwd-status="
                        + r.status() + "; detail=stale-if-error"), r);
            }
            cache.miss();
            return storeAndServe(ex, rcc, key, asGet(original), r, requestTime, responseTime,
                    "fwd=" + why + "; fwd-status=" + r.status());
        });
    }

    /** stale-while-revalidate: one background check per URL at a time; the client is not kept waiting. */
    private void revalidateInBackground(Exchange ex, Chain next, CacheControl rcc, HttpCache.Key key, StoredResponse s) {
        if (!revalidating.add(key)) return;
        Request original = ex.request();
        Request probe = s.hasValidator() ? Revalidation.conditional(original, s) : asGet(original);
        Exchange background = new Exchange(probe, ex.hop(), ex.requestId(), ex.span(), ex.tracing());
        long requestTime = clock.getAsLong();
        CompletableFuture<Response> call;
        try {
            call = next.proceed(background);
        } catch (RuntimeException e) {
            revalidating.remove(key);
            return;
        }
        call.whenComplete((r, error) -> {
            try {
                if (error != null || r == null) return;
                long responseTime = clock.getAsLong();
                if (r.status() == 304) {
                    cache.put(key, refresh(s, r, requestTime, responseTime));
                } else if (r.status() < 500) {
                    store(background, rcc, key, probe, r, requestTime, responseTime);
                }
            } finally {
                revalidating.remove(key);
            }
        });
    }

    private CompletableFuture<Response> fetch(Exchange ex, Chain next, CacheControl rcc, HttpCache.Key key, String why,
                                              boolean leader) {
        long requestTime = clock.getAsLong();
        Request req = ex.request();
        CompletableFuture<Response> call;
        try {
            call = next.proceed(ex);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.thenApply(r -> {
            cache.miss();
            return storeAndServe(ex, rcc, key, req, r, requestTime, clock.getAsLong(), "fwd=" + why);
        }).whenComplete((r, e) -> {
            if (leader) collapser.done(key);
        });
    }

    private Response storeAndServe(Exchange ex, CacheControl rcc, HttpCache.Key key, Request req, Response r,
                                   long requestTime, long responseTime, String fwd) {
        String whyNot = store(ex, rcc, key, req, r, requestTime, responseTime);
        if (whyNot == null) {
            StoredResponse s = cache.lookup(key, req);
            if (s != null) return withOriginTiming(serve(ex, s, responseTime, "MISS", fwd + "; stored"), r);
        }
        return label(ex, r, "MISS", fwd + (whyNot == null ? "" : "; detail=" + whyNot));
    }

    /** Stores the response when it may be stored; returns null, or why it was not. */
    private String store(Exchange ex, CacheControl rcc, HttpCache.Key key, Request req, Response r, long requestTime,
                         long responseTime) {
        HttpHeaders headers = r.headers();
        CacheControl cc = Freshness.effective(headers);
        long lifetime = freshness.lifetimeSeconds(r.status(), headers, cc, responseTime);
        String whyNot = storability.whyNot(req, rcc, r, cc, lifetime);
        if (whyNot != null) return whyNot;
        HttpHeaders h = headers.copy();
        h.remove("server-timing").remove("x-request-id").remove("age").remove("cache-status").remove("x-cache");
        String surrogate = h.get("surrogate-key");
        h.remove("surrogate-key");
        Set<String> keys = surrogate == null ? Set.of() : Arrays.stream(surrogate.trim().split("\\s+"))
                .filter(k -> !k.isEmpty()).collect(Collectors.toUnmodifiableSet());
        byte[] gzip = null;
        if (Gzip.compressible(h, r.body().length, compressMinBytes)) {
            Gzip.varyOnEncoding(h);
            gzip = Gzip.compress(r.body());
            if (gzip.length >= r.body().length) gzip = null;
        }
        cache.put(key, new StoredResponse(r.status(), h, r.body(), gzip, cc, lifetime, responseTime,
                Freshness.correctedInitialAgeMs(headers, requestTime, responseTime), VaryKey.capture(headers, req),
                keys, HttpCache.pathOf(req.uri())));
        return null;
    }

    private StoredResponse refresh(StoredResponse s, Response notModified, long requestTime, long responseTime) {
        HttpHeaders h = Revalidation.merged(s, notModified);
        CacheControl cc = Freshness.effective(h);
        return new StoredResponse(s.status(), h, s.body(), s.gzip(), cc,
                freshness.lifetimeSeconds(s.status(), h, cc, responseTime), responseTime,
                Freshness.correctedInitialAgeMs(notModified.headers(), requestTime, responseTime),
                s.varyValues(), s.surrogateKeys(), s.path());
    }

    private static boolean staleIfError(StoredResponse s, CacheControl rcc, long staleness) {
        if (s.mustRevalidate()) return false;
        long allowed = Math.max(s.cc().seconds("stale-if-error"), rcc.seconds("stale-if-error"));
        return allowed > 0 && staleness <= allowed;
    }

    /** A fresh hit: the stored fields shared, Age and Cache-Status made once a second (see {@link HitFields}). */
    private Response serveFresh(Exchange ex, StoredResponse s, long now) {
        long age = s.ageSeconds(now);
        HitFields.FreshHit fresh = s.hit().fresh(age, s.lifetimeSeconds() - age);
        return serve(ex, s, fresh.ageField(), fresh.cacheStatusField(), "HIT", X_CACHE_HIT);
    }

    private Response serve(Exchange ex, StoredResponse s, long now, String xCache, String status) {
        return serve(ex, s, HitFields.field(HitFields.AGE, Long.toString(s.ageSeconds(now))),
                HitFields.field(HitFields.CACHE_STATUS, NAME + "; " + status), xCache,
                HitFields.field(X_CACHE, xCache));
    }

    /**
     * A stored response as this request gets it: gzip when accepted, Age, Cache-Status, 304 on a match.
     * The body is the stored array itself (the server wraps it, nothing is copied).
     */
    private Response serve(Exchange ex, StoredResponse s, Map.Entry<CharSequence, CharSequence> age,
                           Map.Entry<CharSequence, CharSequence> cacheStatus, String xCache,
                           Map.Entry<CharSequence, CharSequence> xCacheField) {
        Request req = ex.request();
        HitFields fields = s.hit();
        HttpHeaders h = fields.headers();
        byte[] body = s.body();
        if (s.gzip() != null && Boolean.TRUE.equals(ex.attribute(CompressionStage.ACCEPTS_GZIP))) {
            body = s.gzip();
            HitFields.put(h, CONTENT_ENCODING_GZIP);
            if (fields.gzipEtag != null) HitFields.put(h, fields.gzipEtag);
            HitFields.put(h, fields.gzipLength);
        } else {
            HitFields.put(h, fields.identityLength);
        }
        HitFields.put(h, age);
        HitFields.put(h, cacheStatus);
        HitFields.put(h, xCacheField);
        ex.describe(xCache);
        // the compression stage knows a stored answer by its headers; the rare overflow copy needs the flag
        if (!(h instanceof StoredHeaders)) ex.attribute(CompressionStage.NEGOTIATED, Boolean.TRUE);
        if (s.status() == 200 && notModifiedFor(req, h.get(ETAG))) {
            // RFC 9110 section 8.6: a 304 may omit Content-Length, but must not claim a length other than the 200's
            h.remove(CONTENT_LENGTH).remove(CONTENT_ENCODING).remove(CONTENT_TYPE);
            return new Response(304, h, new byte[0]);
        }
        return new Response(s.status(), h, body);
    }

    /** A stored response served after a trip upstream keeps the upstream's Server-Timing: the waterfall is honest. */
    private static Response withOriginTiming(Response served, Response upstream) {
        String timing = upstream.headers().get("server-timing");
        if (timing != null) served.headers().set("server-timing", timing);
        return served;
    }

    /** The client's If-None-Match names this ETag (weak comparison, RFC 9110 section 13.1.2). */
    private static boolean notModifiedFor(Request req, String etag) {
        String inm = req.header("if-none-match");
        if (inm == null || etag == null) return false;
        if (inm.trim().equals("*")) return true;
        String tag = etag.startsWith("W/") ? etag.substring(2) : etag;
        for (String candidate : inm.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) c = c.substring(2);
            if (c.equals(tag)) return true;
        }
        return false;
    }

    private static Response label(Exchange ex, Response r, String xCache, String status) {
        r.headers().set("cache-status", NAME + "; " + status);
        r.headers().set("x-cache", xCache);
        ex.describe(xCache);
        return r;
    }

    private static Response notCached() {
        return Problem.of(504, "Gateway Timeout", "only-if-cached: the edge has no usable stored response for this URL");
    }

    private static Request asGet(Request r) {
        return r.method().equals("GET") ? r : new Request("GET", r.uri(), r.headers(), new byte[0], r.remote(), r.secure());
    }
}
