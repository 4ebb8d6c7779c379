package io.requestflow.firewall.waf;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.engine.http.Request;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Query pairs, cookies and a same-site Referer's pieces looked up in the clean-value memos where they lie (no
 * string made for a remembered one) give the targets that looking each one up as a string gives: the same
 * kinds, names, values and known-clean marks in the same order, and the same headers left out. The reference
 * is the inspection without memos, marked and filtered by {@link CleanValueMemo#isClean} as the inspection
 * did before. Fuzzed requests from a few pieces (so most are remembered), with escapes, '+', blanks, empty
 * names and values, and separators everywhere.
 */
class InPlaceLookupsTest {
    private static final String[] BITS = {"a", "b", "q", "page", "2", "=", "=", "&", "&", ";", ";", " ", "%20", "+",
            "%", "x=1", "é", "json", "xml", "-", "%41"};

    @Test
    void inPlaceLookupsMarkWhatStringLookupsMark() {
        Random random = new Random(19L);
        CleanValueMemo headers = new CleanValueMemo(256);
        CleanValueMemo values = new CleanValueMemo(256);
        int known = 0;
        int skipped = 0;
        for (int i = 0; i < 60_000; i++) {
            Request r = request(random);
            Inspection plain = new Inspection(r, 255);
            Inspection memo = new Inspection(r, 255, headers, values);
            List<String> expected = new ArrayList<>();
            int expectedSkipped = 0;
            for (Target t : plain.targets()) {
                if (t.kind() == Target.Kind.HEADER && headers.isClean(t.kind(), t.name(), t.raw())) {
                    expectedSkipped++;
                    continue;
                }
                boolean clean = t.kind() != Target.Kind.HEADER && values.isClean(t.kind(), t.name(), t.raw());
                expected.add(describe(t.kind(), t.name(), t.raw(), clean));
            }
            List<String> actual = new ArrayList<>();
            for (Target t : memo.targets()) actual.add(describe(t.kind(), t.name(), t.raw(), t.knownClean()));
            assertThat(actual).as(r.uri() + " " + r.headers()).isEqualTo(expected);
            assertThat(memo.skippedHeaders()).isEqualTo(expectedSkipped);
            assertThat(memo.argCount()).isEqualTo(plain.argCount());
            for (Target t : memo.targets()) if (t.knownClean()) known++;
            skipped += memo.skippedHeaders();
            // remember some of this request's values, as a clean request would have them remembered
            for (Target t : plain.targets()) {
                if (random.nextInt(3) == 0) continue;
                if (t.kind() == Target.Kind.HEADER) headers.rememberClean(t.kind(), t.name(), t.raw());
                else values.rememberClean(t.kind(), t.name(), t.raw());
            }
        }
        assertThat(known).as("values found in place").isGreaterThan(100_000);
        assertThat(skipped).as("Referer pieces found in place").isGreaterThan(10_000);
    }

    private static String describe(Target.Kind kind, String name, String raw, boolean clean) {
        return kind + " " + name + "\u0000" + raw + (clean ? " clean" : "");
    }

    private static Request request(Random random) {
        DefaultHttpHeaders h = new DefaultHttpHeaders(false);
        h.set("host", "shop.test");
        h.set("cookie", fuzzed(random));
        h.set("referer", "https://shop.test/" + fuzzed(random) + "?" + fuzzed(random));
        return new Request("GET", "/p?" + fuzzed(random), h, new byte[0], new InetSocketAddress("127.0.0.1", 1));
    }

    private static String fuzzed(Random random) {
        StringBuilder b = new StringBuilder();
        for (int n = random.nextInt(8); n > 0; n--) b.append(BITS[random.nextInt(BITS.length)]);
        return b.toString();
    }
}
