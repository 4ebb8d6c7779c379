package io.requestflow.firewall;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.rules.PercentEscapes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PercentEscapes#of} starts at the first '%' (before it nothing can be flagged): the same flags as the loop
 * over every character it replaced, on fuzzed strings of escapes, hex digits, non-ASCII characters and lone
 * surrogates, and on the benign corpus's targets.
 */
class PercentEscapesTest {
    /** Escapes, ASCII hex digits and others, and digits only {@link Character#digit} reads (full-width, Arabic-Indic). */
    private static final String ALPHABET = "%%%%uUfF09aAeEgzx+é\u00ff\ud800\udc00\u20ac \uff10\uff21\u0661";

    @Test
    void sameFlagsAsTheLoopOverEveryCharacter() {
        List<String> values = new ArrayList<>();
        for (Request r : BenignCorpus.generate(2_000, 5L)) values.add(r.uri());
        Random random = new Random(12L);
        for (int i = 0; i < 400_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = random.nextInt(14); n > 0; n--) b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            values.add(b.toString());
        }
        int[] seen = new int[3];
        for (String v : values) {
            int flags = reference(v);
            assertThat(PercentEscapes.of(v)).as(v).isEqualTo(flags);
            for (int bit = 0; bit < 3; bit++) if ((flags & 1 << bit) != 0) seen[bit]++;
        }
        for (int bit = 0; bit < 3; bit++) assertThat(seen[bit]).as("strings with flag %d", 1 << bit).isGreaterThan(50);
    }

    /** The loop as it was before it started at the first '%'. */
    private static int reference(String s) {
        int flags = 0;
        int need = 0;
        int lo = 0x80;
        int hi = 0xBF;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int b;
            if (c == '%') {
                if (!hexDigits(s, i + 1, 2) && !(i + 1 < n && (s.charAt(i + 1) | 0x20) == 'u' && hexDigits(s, i + 2, 4))) {
                    flags |= PercentEscapes.BAD_ESCAPE;
                }
                if (i + 3 < n && (s.charAt(i + 1) | 0x20) == 'u' && (s.charAt(i + 2) | 0x20) == 'f'
                        && (s.charAt(i + 3) | 0x20) == 'f') {
                    flags |= PercentEscapes.FULL_WIDTH;
                }
                int h1;
                int h2;
                if (i + 2 < n && (h1 = Character.digit(s.charAt(i + 1), 16)) >= 0
                        && (h2 = Character.digit(s.charAt(i + 2), 16)) >= 0) {
                    b = h1 * 16 + h2;
                    i += 2;
                } else {
                    b = '%';
                }
            } else if (c < 0x80) {
                b = c;
            } else if (Character.isSurrogate(c)) {
                b = '?';
            } else {
                if (need > 0) {
                    flags |= PercentEscapes.NOT_UTF8;
                    need = 0;
                }
                continue;
            }
            if (need > 0) {
                if (b < lo || b > hi) {
                    flags |= PercentEscapes.NOT_UTF8;
                    need = 0;
                    lo = 0x80;
                    hi = 0xBF;
                    continue;
                }
                need--;
                lo = 0x80;
                hi = 0xBF;
            } else if (b >= 0x80) {
                if (b >= 0xC2 && b <= 0xDF) {
                    need = 1;
                } else if (b >= 0xE0 && b <= 0xEF) {
                    need = 2;
                    if (b == 0xE0) lo = 0xA0;
                    if (b == 0xED) hi = 0x9F;
                } else if (b >= 0xF0 && b <= 0xF4) {
                    need = 3;
                    if (b == 0xF0) lo = 0x90;
                    if (b == 0xF4) hi = 0x8F;
                } else {
                    flags |= PercentEscapes.NOT_UTF8;
                }
            }
        }
        if (need > 0) flags |= PercentEscapes.NOT_UTF8;
        return flags;
    }

    private static boolean hexDigits(String s, int from, int count) {
        if (from + count > s.length()) return false;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
        }
        return true;
    }
}
