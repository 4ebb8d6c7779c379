package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.LiteralScanner;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What the prefilter derives from a regex, and that a value it turns away can never match the regex. */
class RequiredLiteralsTest {

    @Test
    void literalsARegexCannotMatchWithout() {
        assertThat(RequiredLiterals.ways("abc")).containsExactly(List.of(Set.of("abc")));
        assertThat(RequiredLiterals.ways("a?b")).containsExactly(List.of(Set.of("b")));
        assertThat(RequiredLiterals.ways("(?:cat|dog)\\s+x")).singleElement()
                .satisfies(way -> assertThat(way).containsExactlyInAnyOrder(Set.of("cat", "dog"), Set.of("x")));
        assertThat(RequiredLiterals.ways("(a)\\1")).containsExactly(List.of(Set.of("a")));
        assertThat(RequiredLiterals.ways("cmd(?:\\.exe)?\\s*/[ck]")).singleElement()
                .satisfies(way -> assertThat(way).contains(Set.of("cmd")));
    }

    @Test
    void eachWayOfAnAlternationKeepsItsOwnClauses() {
        List<List<Set<String>>> ways = RequiredLiterals.ways("alert\\(|window\\s*\\.\\s*open");
        assertThat(ways).hasSize(2);
        assertThat(ways.get(0)).contains(Set.of("alert("));
        assertThat(ways.get(1)).contains(Set.of("window"), Set.of("open"));
    }

    @Test
    void nothingIsClaimedWhenAWayNeedsNoLiteralOrTheSyntaxIsNotUnderstood() {
        assertThat(RequiredLiterals.ways("x|\\d+")).isEmpty();
        assertThat(RequiredLiterals.ways("[^a]+")).isEmpty();
        assertThat(RequiredLiterals.ways("(?i)abc")).isEmpty();
        assertThat(RequiredLiterals.ways("a*")).isEmpty();
    }

    @Test
    void scannerFindsEveryOccurringLiteralInOnePass() {
        LiteralScanner s = new LiteralScanner(List.of("he", "she", "his", "hers", "ü"));
        long hits = s.scan("ushers über")[0];
        assertThat(hits & (1L << s.id("he"))).isNotZero();
        assertThat(hits & (1L << s.id("she"))).isNotZero();
        assertThat(hits & (1L << s.id("hers"))).isNotZero();
        assertThat(hits & (1L << s.id("ü"))).isNotZero();
        assertThat(hits & (1L << s.id("his"))).isZero();
        assertThat(s.scan("nothing to see")).isSameAs(LiteralScanner.NONE);
    }

    /** Random values over a small alphabet: whenever the regex finds a match, some way's clauses all hold. */
    @Test
    void neverTurnsAwayAValueTheRegexMatches() {
        List<String> regexes = List.of("(?:a|bc)d+[ef]", "x(?:ab|c)?y|\\bz{2,}", "(?:[;&|]|\\$\\()\\s*(?:ab|ba)\\b",
                "<\\s*a[^>]*?(?:b|cd)\\s*=", "\\(\\s*['\"]?[a-c]+\\)\\s*;", "e(?=f)|(?<!a)b{1,3}c", "\\x61\\u0062|\\Q.c\\E");
        Random random = new Random(42);
        String alphabet = "abcdefxyz ;&|$()<>='\"\\.";
        for (String regex : regexes) {
            Pattern p = Pattern.compile(regex);
            List<List<Set<String>>> ways = RequiredLiterals.ways(regex);
            int matched = 0;
            for (int i = 0; i < 20_000; i++) {
                StringBuilder sb = new StringBuilder();
                int n = random.nextInt(12);
                for (int j = 0; j < n; j++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
                String v = sb.toString();
                if (!p.matcher(v).find()) continue;
                matched++;
                assertThat(ways.isEmpty() || ways.stream().anyMatch(way -> way.stream()
                        .allMatch(clause -> clause.stream().anyMatch(v::contains)))).as("%s on %s", regex, v).isTrue();
            }
            assertThat(matched).as(regex).isPositive();
        }
    }
}
