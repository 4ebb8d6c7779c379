package io.requestflow.edge;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static io.requestflow.edge.EdgeFixture.header;
import static io.requestflow.edge.EdgeFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

/** RFC 9111 rules, each through real sockets: scripted origin → edge → client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EdgeCacheTest {
    static EdgeFixture f;

    @BeforeAll
    static void start() {
        f = new EdgeFixture(CacheConfig.defaults());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void resetClock() {
        f.offsetMs.set(0);
    }

    @Test
    void aFreshResponseIsServedFromTheCacheWithItsAge() {
        f.script("/fresh", 200, "one", "cache-control", "max-age=60");
        HttpResponse<byte[]> miss = f.get("/fresh");
        assertThat(header(miss, "x-cache")).isEqualTo("MISS");
        assertThat(header(miss, "cache-status")).isEqualTo("edge; fwd=uri-miss; stored");
        f.advanceSeconds(10);
        HttpResponse<byte[]> hit = f.get("/fresh");
        assertThat(text(hit)).isEqualTo("one");
        assertThat(header(hit, "x-cache")).isEqualTo("HIT");
        assertThat(header(hit, "cache-status")).startsWith("edge; hit; ttl=");
        assertThat(Long.parseLong(header(hit, "age"))).isBetween(10L, 11L);
        assertThat(header(hit, "server-timing")).startsWith("edge;").doesNotContain("origin");
        assertThat(f.originCount("/fresh")).isEqualTo(1);
        f.advanceSeconds(60);
        assertThat(header(f.get("/fresh"), "x-cache")).isEqualTo("MISS"); // expired, no validator: fetched again
        assertThat(f.originCount("/fresh")).isEqualTo(2);
    }

    @Test
    void aHitCarriesEveryStoredFieldOnceWithItsOwnAgeLengthAndStatus() {
        f.script("/fields", 200, "twelve bytes", "cache-control", "max-age=100", "x-multi", "one", "x-multi", "two",
                "etag", "\"f1\"");
        f.get("/fields");
        f.advanceSeconds(7);
        HttpResponse<byte[]> hit = f.get("/fields");
        assertThat(header(hit, "x-cache")).isEqualTo("HIT");
        assertThat(hit.headers().allValues("x-multi")).containsExactly("one", "two");
        assertThat(hit.headers().allValues("content-length")).containsExactly("12");
        assertThat(hit.headers().allValues("age")).containsExactly("7");
        assertThat(hit.headers().allValues("cache-status")).containsExactly("edge; hit; ttl=93");
        assertThat(hit.headers().allValues("etag")).containsExactly("\"f1\"");
        assertThat(hit.headers().allValues("x-request-id")).hasSize(1);
        assertThat(text(hit)).isEqualTo("twelve bytes");
        f.advanceSeconds(1); // the next second's hit gets its own Age, not the one made for the last
        HttpResponse<byte[]> later = f.get("/fields");
        assertThat(header(later, "age")).isEqualTo("8");
        assertThat(header(later, "cache-status")).isEqualTo("edge; hit; ttl=92");
    }

    @Test
    void ageAddsTheAgeTheResponseArrivedWith() {
        f.script("/aged", 200, "x", "cache-control", "max-age=100", "age", "30");
        f.get("/aged");
        HttpResponse<byte[]> hit = f.get("/aged");
        assertThat(Long.parseLong(header(hit, "age"))).isBetween(30L, 31L);
        assertThat(header(hit, "cache-status")).contains("ttl=7"); // 100 - 30
    }

    @Test
    void privateOrAuthorizationResponsesAreNeverServedToAnotherUser() {
        f.script("/me", r -> EdgeFixture.response(200, "account of " + r.header("authorization"),
                "cache-control", "private, max-age=600"));
        assertThat(text(f.get("/me", "authorization", "alice"))).isEqualTo("account of alice");
        HttpResponse<byte[]> bob = f.get("/me", "authorization", "bob");
        assertThat(text(bob)).isEqualTo("account of bob");
        assertThat(header(bob, "cache-status")).contains("detail=private");
        // no private directive, but the request carried credentials and the response did not allow sharing
        f.script("/with-auth", r -> EdgeFixture.response(200, "for " + r.header("authorization"),
                "cache-control", "max-age=600"));
        assertThat(text(f.get("/with-auth", "authorization", "alice"))).isEqualTo("for alice");
        HttpResponse<byte[]> anonymous = f.get("/with-auth");
        assertThat(text(anonymous)).isEqualTo("for null");
        assertThat(f.originCount("/with-auth")).isEqualTo(2);
        // a response that sets a cookie is personal too
        f.script("/cookie", 200, "session", "cache-control", "max-age=600", "set-cookie", "sid=1");
        f.get("/cookie");
        assertThat(header(f.get("/cookie"), "set-cookie")).isEqualTo("sid=1");
        assertThat(f.originCount("/cookie")).isEqualTo(2);
        // public lets an authorised response be shared
        f.script("/public-auth", 200, "shared", "cache-control", "public, max-age=600");
        f.get("/public-auth", "authorization", "alice");
        assertThat(header(f.get("/public-auth"), "x-cache")).isEqualTo("HIT");
    }

    @Test
    void headIsAnsweredFromAStoredGet() {
        f.script("/head", 200, "0123456789", "cache-control", "max-age=60");
        f.get("/head");
        HttpResponse<byte[]> head = EdgeFixture.send("HEAD", f.base() + "/head");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(header(head, "content-length")).isEqualTo("10");
        assertThat(header(head, "x-cache")).isEqualTo("HIT");
        assertThat(f.originCount("/head")).isEqualTo(1);
    }

    @Test
    void a304RefreshesTheStoredHeadersAndKeepsTheBody() {
        f.script("/validate", r -> "\"v1\"".equals(r.header("if-none-match"))
                ? EdgeFixture.response(304, "", "etag", "\"v1\"", "cache-control", "max-age=60", "x-version", "2")
                : EdgeFixture.response(200, "body-v1", "etag", "\"v1\"", "cache-control", "max-age=1",
                "x-version", "1"));
        f.get("/validate");
        f.advanceSeconds(5);
        HttpResponse<byte[]> refreshed = f.get("/validate");
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(text(refreshed)).isEqualTo("body-v1");
        assertThat(header(refreshed, "x-version")).isEqualTo("2");
        assertThat(header(refreshed, "x-cache")).isEqualTo("REVALIDATED");
        assertThat(header(refreshed, "cache-status")).isEqualTo("edge; fwd=stale; fwd-status=304");
        assertThat(f.lastAtOrigin("/validate").header("if-none-match")).isEqualTo("\"v1\"");
        assertThat(header(f.get("/validate"), "x-cache")).isEqualTo("HIT"); // fresh again for 60 s
        assertThat(f.originCount("/validate")).isEqualTo(2);
        // the client's own conditional request is answered by the edge
        HttpResponse<byte[]> notModified = f.get("/validate", "if-none-match", "\"v1\"");
        assertThat(notModified.statusCode()).isEqualTo(304);
        // RFC 9110 section 8.6: no Content-Length that claims the representation is empty
        assertThat(notModified.headers().allValues("content-length")).isEmpty();
        assertThat(header(notModified, "etag")).isEqualTo("\"v1\"");
        assertThat(f.originCount("/validate")).isEqualTo(2);
    }

    @Test
    void lastModifiedRevalidatesAndGivesHeuristicFreshness() {
        String lm = "Sat, 01 Jan 2000 00:00:00 GMT";
        f.script("/lm", r -> r.header("if-modified-since") != null
                ? EdgeFixture.response(304, "")
                : EdgeFixture.response(200, "old", "last-modified", lm));
        f.get("/lm");
        assertThat(header(f.get("/lm"), "x-cache")).isEqualTo("HIT"); // 10% of 26 years, capped at a day
        f.advanceSeconds(86_400 + 1);
        assertThat(header(f.get("/lm"), "x-cache")).isEqualTo("REVALIDATED");
        assertThat(f.lastAtOrigin("/lm").header("if-modified-since")).isEqualTo(lm);
    }

    @Test
    void unsafeMethodsInvalidateTheUrlAndItsLocations() {
        f.script("/cart", r -> r.method().equals("POST")
                ? EdgeFixture.response(201, "made", "location", "/cart/1", "content-location",
                "http://127.0.0.1/cart/2")
                : EdgeFixture.response(200, "cart", "cache-control", "max-age=600"));
        f.script("/cart/1", 200, "one", "cache-control", "max-age=600");
        f.script("/cart/2", 200, "two", "cache-control", "max-age=600");
        f.script("/cart/3", r -> r.method().equals("DELETE")
                ? EdgeFixture.response(200, "gone", "location", "http://elsewhere.test/cart/1")
                : EdgeFixture.response(200, "three", "cache-control", "max-age=600"));
        for (String p : new String[] {"/cart", "/cart/1", "/cart/2", "/cart/3"}) f.get(p);
        assertThat(header(f.get("/cart/1"), "x-cache")).isEqualTo("HIT");
        EdgeFixture.send("DELETE", f.base() + "/cart/3");
        assertThat(header(f.get("/cart/3"), "x-cache")).isEqualTo("MISS");
        assertThat(header(f.get("/cart/1"), "x-cache")).isEqualTo("HIT"); // another host's Location: left alone
        HttpResponse<byte[]> post = EdgeFixture.send("POST", f.base() + "/cart");
        assertThat(header(post, "x-cache")).isEqualTo("BYPASS");
        assertThat(header(f.get("/cart"), "x-cache")).isEqualTo("MISS");
        assertThat(header(f.get("/cart/1"), "x-cache")).isEqualTo("MISS");
        assertThat(header(f.get("/cart/2"), "x-cache")).isEqualTo("MISS");
    }

    @Test
    void varySelectsTheVariantAndVaryStarIsNeverReused() {
        f.script("/vary", r -> EdgeFixture.response(200, "lang " + r.header("accept-language"),
                "cache-control", "max-age=600", "vary", "Accept-Language"));
        assertThat(text(f.get("/vary", "accept-language", "en"))).isEqualTo("lang en");
        HttpResponse<byte[]> de = f.get("/vary", "accept-language", "de");
        assertThat(text(de)).isEqualTo("lang de");
        assertThat(header(de, "cache-status")).startsWith("edge; fwd=vary-miss");
        HttpResponse<byte[]> en = f.get("/vary", "accept-language", "en");
        assertThat(text(en)).isEqualTo("lang en");
        assertThat(header(en, "x-cache")).isEqualTo("HIT");
        assertThat(text(f.get("/vary"))).isEqualTo("lang null");
        assertThat(f.originCount("/vary")).isEqualTo(3);

        f.script("/star", 200, "x", "cache-control", "max-age=600", "vary", "*");
        f.get("/star");
        assertThat(header(f.get("/star"), "cache-status")).contains("detail=vary-star");
        assertThat(f.originCount("/star")).isEqualTo(2);
    }

    @Test
    void requestDirectivesAreHonoured() {
        f.script("/rd", r -> EdgeFixture.response(200, "v", "cache-control", "max-age=100", "etag", "\"e\""));
        f.get("/rd");
        f.advanceSeconds(50);
        assertThat(header(f.get("/rd"), "x-cache")).isEqualTo("HIT");
        assertThat(header(f.get("/rd", "cache-control", "no-cache"), "cache-status")).startsWith("edge; fwd=request");
        assertThat(f.originCount("/rd")).isEqualTo(2);
        f.advanceSeconds(30);
        assertThat(header(f.get("/rd", "cache-control", "max-age=10"), "x-cache")).isNotEqualTo("HIT");
        assertThat(header(f.get("/rd", "cache-control", "min-fresh=1000"), "x-cache")).isNotEqualTo("HIT");
        assertThat(header(f.get("/rd", "pragma", "no-cache"), "x-cache")).isNotEqualTo("HIT");
        int before = f.originCount("/rd");
        assertThat(header(f.get("/rd", "cache-control", "only-if-cached"), "x-cache")).isEqualTo("HIT");
        assertThat(f.get("/nothing-here", "cache-control", "only-if-cached").statusCode()).isEqualTo(504);
        assertThat(f.originCount("/nothing-here")).isZero();
        // stale: max-stale lets it be served, only-if-cached without it refuses
        f.advanceSeconds(200);
        assertThat(header(f.get("/rd", "cache-control", "max-stale=1000"), "x-cache")).isEqualTo("STALE");
        assertThat(header(f.get("/rd", "cache-control", "max-stale"), "x-cache")).isEqualTo("STALE");
        assertThat(f.get("/rd", "cache-control", "only-if-cached").statusCode()).isEqualTo(504);
        assertThat(f.originCount("/rd")).isEqualTo(before);
        // no-store: the response is not stored
        f.script("/ns", 200, "x", "cache-control", "max-age=100");
        f.get("/ns", "cache-control", "no-store");
        assertThat(header(f.get("/ns"), "x-cache")).isEqualTo("MISS");
    }

    @Test
    void responseDirectivesAreHonoured() {
        f.script("/nostore", 200, "x", "cache-control", "no-store, max-age=100");
        f.get("/nostore");
        assertThat(header(f.get("/nostore"), "cache-status")).contains("detail=no-store");
        // no-cache: stored, but revalidated before every reuse
        f.script("/nocache", r -> r.header("if-none-match") != null ? EdgeFixture.response(304, "")
                : EdgeFixture.response(200, "x", "cache-control", "no-cache, max-age=100", "etag", "\"n\""));
        f.get("/nocache");
        assertThat(header(f.get("/nocache"), "x-cache")).isEqualTo("REVALIDATED");
        // must-revalidate: never served stale, even when the client would accept it
        f.script("/must", 200, "x", "cache-control", "max-age=1, must-revalidate");
        f.get("/must");
        f.advanceSeconds(10);
        assertThat(header(f.get("/must", "cache-control", "max-stale=100"), "x-cache")).isEqualTo("MISS");
        // s-maxage beats max-age for a shared cache
        f.script("/smax", 200, "x", "cache-control", "max-age=1, s-maxage=100");
        f.get("/smax");
        f.advanceSeconds(10);
        assertThat(header(f.get("/smax"), "x-cache")).isEqualTo("HIT");
    }

    @Test
    void onlyUnderstoodStatusesAreStoredAndSomeOnlyWithExplicitFreshness() {
        f.script("/found", 302, "", "location", "/x", "last-modified", "Sat, 01 Jan 2000 00:00:00 GMT");
        f.get("/found");
        assertThat(header(f.get("/found"), "cache-status")).contains("detail=status");
        f.script("/missing", 404, "no", "cache-control", "max-age=60");
        f.get("/missing");
        assertThat(header(f.get("/missing"), "x-cache")).isEqualTo("HIT");
        f.script("/partial", 206, "pa", "cache-control", "max-age=60", "content-range", "bytes 0-1/10");
        f.get("/partial");
        assertThat(f.get("/partial").statusCode()).isEqualTo(206);
        assertThat(f.originCount("/partial")).isEqualTo(2);
    }

    @Test
    void malformedFieldsAreParsedTolerantly() {
        f.script("/bad-expires", 200, "x", "expires", "not a date");
        f.get("/bad-expires");
        assertThat(header(f.get("/bad-expires"), "x-cache")).isEqualTo("MISS"); // already expired
        f.script("/good-expires", 200, "x", "date", httpDate(0), "expires", httpDate(120));
        f.get("/good-expires");
        assertThat(header(f.get("/good-expires"), "x-cache")).isEqualTo("HIT");
        f.script("/bad-maxage", 200, "x", "cache-control", "max-age=soon, , PUBLIC");
        f.get("/bad-maxage");
        assertThat(header(f.get("/bad-maxage"), "x-cache")).isEqualTo("MISS"); // an unreadable max-age is stale
        f.script("/dup", 200, "x", "cache-control", "max-age=100", "cache-control", "max-age=0");
        f.get("/dup");
        assertThat(header(f.get("/dup"), "x-cache")).isEqualTo("HIT"); // the first occurrence wins
        f.script("/bad-age", 200, "x", "cache-control", "MAX-AGE=\"100\"", "age", "ten");
        f.get("/bad-age");
        HttpResponse<byte[]> hit = f.get("/bad-age");
        assertThat(header(hit, "x-cache")).isEqualTo("HIT");
        assertThat(Long.parseLong(header(hit, "age"))).isLessThan(2);
    }

    @Test
    void cdnCacheControlTakesPrecedenceAtTheEdge() {
        f.script("/cdn", 200, "x", "cache-control", "no-store", "cdn-cache-control", "max-age=60");
        f.get("/cdn");
        HttpResponse<byte[]> hit = f.get("/cdn");
        assertThat(header(hit, "x-cache")).isEqualTo("HIT");
        assertThat(header(hit, "cache-control")).isEqualTo("no-store"); // browsers still get the origin's rule
        f.script("/cdn-no", 200, "x", "cache-control", "max-age=60", "cdn-cache-control", "no-store");
        f.get("/cdn-no");
        assertThat(header(f.get("/cdn-no"), "x-cache")).isEqualTo("MISS");
    }

    @Test
    void staleWhileRevalidateAnswersAtOnceAndRefreshesBehind() throws Exception {
        java.util.concurrent.atomic.AtomicInteger version = new java.util.concurrent.atomic.AtomicInteger();
        f.script("/swr", r -> EdgeFixture.response(200, "v" + version.incrementAndGet(),
                "cache-control", "max-age=1, stale-while-revalidate=30"));
        f.get("/swr");
        f.advanceSeconds(5);
        HttpResponse<byte[]> stale = f.get("/swr");
        assertThat(text(stale)).isEqualTo("v1");
        assertThat(header(stale, "x-cache")).isEqualTo("STALE");
        assertThat(header(stale, "cache-status")).contains("detail=stale-while-revalidate");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!text(f.get("/swr")).equals("v2") && System.nanoTime() < deadline) Thread.sleep(20);
        HttpResponse<byte[]> refreshed = f.get("/swr");
        assertThat(text(refreshed)).isEqualTo("v2");
        assertThat(header(refreshed, "x-cache")).isEqualTo("HIT");
        assertThat(f.originCount("/swr")).isEqualTo(2);
    }

    @Test
    void staleIfErrorServesTheStoredResponseWhenTheOriginFails() {
        f.script("/sie", 200, "good", "cache-control", "max-age=1, stale-if-error=60");
        f.script("/nosie", 200, "good", "cache-control", "max-age=1");
        f.get("/sie");
        f.get("/nosie");
        f.script("/sie", 503, "down");
        f.script("/nosie", 503, "down");
        f.advanceSeconds(5);
        HttpResponse<byte[]> stale = f.get("/sie");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(text(stale)).isEqualTo("good");
        assertThat(header(stale, "cache-status")).isEqualTo("edge; fwd=stale; fwd-status=503; detail=stale-if-error");
        assertThat(f.get("/nosie").statusCode()).isEqualTo(503);
        f.advanceSeconds(100); // past the stale-if-error window
        assertThat(f.get("/sie").statusCode()).isEqualTo(503);
    }

    @Test
    void connectionHeadersNeverReachTheClient() {
        f.script("/hop", 200, "x", "cache-control", "max-age=60", "connection", "x-secret", "x-secret", "1",
                "keep-alive", "timeout=5");
        f.get("/hop");
        HttpResponse<byte[]> hit = f.get("/hop");
        assertThat(header(hit, "x-secret")).isNull();
        assertThat(header(hit, "keep-alive")).isNull();
    }

    @Test
    void theViewerAndTheProtocolAreToldToTheOrigin() {
        f.script("/viewer", 200, "x");
        f.get("/viewer", "x-viewer-country", "FR");
        var seen = f.lastAtOrigin("/viewer");
        assertThat(seen.header("x-viewer-country")).isEqualTo("ZZ"); // loopback; the client's claim is dropped
        assertThat(seen.header("x-forwarded-proto")).isEqualTo("http");
        assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.header("accept-encoding")).isNull(); // the edge compresses, the origin sends identity
    }

    static String httpDate(long secondsFromNow) {
        return java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(secondsFromNow));
    }
}
