package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.Severity;
import io.requestflow.firewall.waf.Target;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a regex may be cut into alternatives, and that running some of them returns the whole regex's match. */
class AlternativesTest {

    @Test
    void cutsOnlyAtTopLevelBars() {
        assertThat(Alternatives.split("ab|c(?:d|e)|[|x]f|\\|g")).containsExactly("ab", "c(?:d|e)", "[|x]f", "\\|g");
        assertThat(Alternatives.split("a[[b|c]d]|e")).containsExactly("a[[b|c]d]", "e");
        assertThat(Alternatives.split("(?<=x)a|(?!y)b")).containsExactly("(?<=x)a", "(?!y)b");
        assertThat(Alternatives.split("abc")).isNull();
        assertThat(Alternatives.split("(a|b)")).isNull();
    }

    @Test
    void refusesWhatCuttingWouldChange() {
        assertThat(Alternatives.split("(a)\\1|b")).as("back-reference").isNull();
        assertThat(Alternatives.split("(?<n>a)\\k<n>|b")).as("named group").isNull();
        assertThat(Alternatives.split("(?i)a|b")).as("inline flags").isNull();
        assertThat(Alternatives.split("[]|]a|b")).as("class starting with ]").isNull();
        assertThat(Alternatives.split("\\Q|\\E|b")).as("quoting").isNull();
        assertThat(Alternatives.split("a||b")).as("empty alternative").isNull();
    }

    @Test
    void leftmostThenEarliestAlternativeAsTheWholeRegex() {
        String[] regexes = {"ab|a", "a|ab", "b|ab", "c|b+|ab", "^a|b$|ba", "x?|b"};
        Random random = new Random(5);
        for (String regex : regexes) {
            List<String> parts = Alternatives.split(regex);
            Pattern[] patterns = parts.stream().map(Pattern::compile).toArray(Pattern[]::new);
            PatternRule rule = PatternRule.of("T-1", 1, Severity.CRITICAL, regex, PatternRule.ARGS);
            for (int i = 0; i < 2_000; i++) {
                StringBuilder v = new StringBuilder();
                for (int k = random.nextInt(7); k > 0; k--) v.append("abcx".charAt(random.nextInt(4)));
                Target t = new Target(Target.Kind.ARG, "q", v.toString(), v.toString());
                Matcher m = Pattern.compile(regex).matcher(v);
                Match expected = m.find() ? new Match("T-1", Severity.CRITICAL, "ARG:q",
                        PatternRule.excerpt(v.toString(), m.start(), m.end())) : null;
                assertThat(rule.matchFirst(t, v.toString(), patterns, patterns.length)).as("%s on %s", regex, v)
                        .isEqualTo(expected);
            }
        }
    }
}
