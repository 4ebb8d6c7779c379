package io.requestflow.firewall.waf;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.rules.PercentEscapes;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ProtocolRules reads the percent escapes of the target's values not known clean only: a target's flags are its
 * pieces' flags together wherever {@link UriPieces} cuts it, and a WAF with memos gives the escape rules' verdicts
 * a WAF without memos gives, on fuzzed targets of escapes cut by separators.
 */
class PercentEscapesByPiecesTest {
    private static final String[] BITS = {"%", "%4", "%41", "%C3", "%A9", "%C3%A9", "%E2%82", "%AC", "%u", "%uff21",
            "%uFF", "%u00e9", "%F0%90", "%ED%A0", "%zz", "a", "u", "f", "4", "\u0661", "\u00e9", "\ud800", "&", "&", "=",
            "q=", "+", "?"};

    @Test
    void flagsOfTheTargetAreItsPiecesFlags() {
        Random random = new Random(31L);
        int split = 0;
        int flagged = 0;
        for (int n = 0; n < 300_000; n++) {
            String uri = target(random);
            int[] bounds = UriPieces.bounds(uri);
            if (bounds == null) continue;
            split++;
            int together = 0;
            for (int k = 0; k < bounds[0]; k++) together |= PercentEscapes.of(uri.substring(bounds[2 * k + 1], bounds[2 * k + 2]));
            assertThat(together).as(uri).isEqualTo(PercentEscapes.of(uri));
            if (together != 0) flagged++;
        }
        assertThat(split).isGreaterThan(100_000);
        assertThat(flagged).isGreaterThan(20_000);
    }

    @Test
    void escapeRulesGiveTheVerdictsOfAWafWithoutMemos() {
        Waf memo = new Waf(WafConfig.defaults().withCleanValueMemo(64).withCleanHeaderMemo(64));
        Waf plain = new Waf(WafConfig.defaults().withCleanValueMemo(0).withCleanHeaderMemo(0));
        Random random = new Random(32L);
        int escapes = 0;
        for (int n = 0; n < 20_000; n++) {
            Request r = new Request("GET", target(random), new DefaultHttpHeaders().set("host", "shop.test"), new byte[0],
                    new InetSocketAddress("127.0.0.1", 1));
            List<Match> expected = plain.inspect(r).matches();
            assertThat(memo.inspect(r).matches()).as(r.uri()).isEqualTo(expected);
            if (expected.stream().anyMatch(m -> m.ruleId().startsWith("PROTO-1"))) escapes++;
        }
        assertThat(escapes).as("requests flagged for their escapes").isGreaterThan(2_000);
    }

    /** A path, then a query of a few pieces from {@link #BITS}, mostly seen before (few bits, short pieces). */
    private static String target(Random random) {
        StringBuilder b = new StringBuilder("/p");
        if (random.nextInt(4) == 0) b.append(BITS[random.nextInt(BITS.length)]);
        b.append('?');
        for (int k = random.nextInt(5); k >= 0; k--) b.append(BITS[random.nextInt(BITS.length)]);
        return b.toString();
    }
}
