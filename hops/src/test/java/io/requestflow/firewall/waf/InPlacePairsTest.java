package io.requestflow.firewall.waf;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.normalize.Normalizer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forms and cookies cut into pairs in place give the pairs that splitting them into strings first gave (the
 * reference, restated here), over fuzzed text full of separators, blanks and escapes.
 */
class InPlacePairsTest {
    private static final String[] BITS = {"a", "b", "=", "=", "&", "&", ";", ";", " ", "\t", "%20", "+", "%", "x=1", "é", "\u0001"};

    @Test
    void formPairsAreTheSplitOnes() {
        Random random = new Random(3L);
        for (int i = 0; i < 100_000; i++) {
            String text = fuzzed(random);
            int maxArgs = random.nextInt(6);
            List<String> actual = new ArrayList<>();
            BodyParser.form(text, maxArgs, (n, v) -> actual.add(n + "\u0000" + v));
            assertThat(actual).as(text).isEqualTo(formByTheSplit(text, maxArgs));
            String around = "/p?" + text + "#a=b&c";
            List<String> inPlace = new ArrayList<>();
            BodyParser.form(around, 3, 3 + text.length(), maxArgs, (n, v) -> inPlace.add(n + "\u0000" + v));
            assertThat(inPlace).as("%s read in place", around).isEqualTo(actual);
        }
    }

    @Test
    void cookiePairsAreTheSplitOnes() {
        Random random = new Random(4L);
        for (int i = 0; i < 100_000; i++) {
            String header = fuzzed(random);
            DefaultHttpHeaders h = new DefaultHttpHeaders(false);
            h.set("host", "shop");
            h.set("cookie", header);
            Inspection in = new Inspection(new Request("GET", "/", h, new byte[0], new InetSocketAddress("127.0.0.1", 1)), 255);
            List<String> actual = new ArrayList<>();
            for (Target t : in.targets()) {
                if (t.kind() == Target.Kind.COOKIE_NAME || t.kind() == Target.Kind.COOKIE) {
                    actual.add(t.kind() + " " + t.name() + "\u0000" + t.raw());
                }
            }
            assertThat(actual).as(header).isEqualTo(cookiesByTheSplit(header));
        }
    }

    private static String fuzzed(Random random) {
        StringBuilder b = new StringBuilder();
        for (int n = random.nextInt(12); n > 0; n--) b.append(BITS[random.nextInt(BITS.length)]);
        return b.toString();
    }

    /** BodyParser.form before it cut pairs in place. */
    private static List<String> formByTheSplit(String text, int maxArgs) {
        List<String> out = new ArrayList<>();
        int count = 0;
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) continue;
            if (++count > maxArgs) break;
            int eq = pair.indexOf('=');
            String name = Normalizer.urlDecode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : Normalizer.urlDecode(pair.substring(eq + 1), true);
            out.add(name + "\u0000" + value);
        }
        return out;
    }

    /** Inspection's cookies before it cut pairs in place. */
    private static List<String> cookiesByTheSplit(String header) {
        List<String> out = new ArrayList<>();
        for (String c : header.split(";")) {
            String pair = c.trim();
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq).trim();
            String value = eq < 0 ? "" : pair.substring(eq + 1).trim();
            out.add(Target.Kind.COOKIE_NAME + " " + name + "\u0000" + name);
            out.add(Target.Kind.COOKIE + " " + name + "\u0000" + Normalizer.urlDecode(value, false));
        }
        return out;
    }
}
