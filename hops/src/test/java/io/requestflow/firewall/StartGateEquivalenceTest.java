package io.requestflow.firewall;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.RuleFamily;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.Waf;
import io.requestflow.firewall.waf.WafConfig;
import io.requestflow.firewall.waf.rules.Alternations;
import io.requestflow.firewall.waf.rules.Alternatives;
import io.requestflow.firewall.waf.rules.CommandInjectionRules;
import io.requestflow.firewall.waf.rules.FirstChars;
import io.requestflow.firewall.waf.rules.PatternFamily;
import io.requestflow.firewall.waf.rules.PatternRule;
import io.requestflow.firewall.waf.rules.ScannerRules;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gates of the inspection cost pass only skip work: a regex searched only at the positions its
 * matches can start with ({@link FirstChars}) finds the match plain {@code find} finds, for every rule
 * and every alternative of a cut rule, on every value and raw value of the benign and CRS corpora (it
 * tries a subset of find's attempts, each the same attempt, so it can only differ where find matches:
 * those are compared); RCE-215's character-pair gate turns away no value its inner-glue regex finds in,
 * and its word search visits the pieces {@code find} visits; the command lists regrouped by first
 * character ({@link Alternations}) match where and as the lists as written do; the compact literal automaton reports what
 * {@code contains} finds; and a WAF
 * that remembers clean header and other values gives every request the verdict a WAF without the memos gives,
 * as do the scanner rules that remember clean User-Agents.
 */
class StartGateEquivalenceTest {
    /** RCE-215's definitions, restated as the reference. */
    private static final String GLUE = "\\$[@*!?$_-]|\\$\\d|\\$\\{\\w{0,8}\\}|\\$\\(\\s*\\)|[<>]\\(\\s*\\)|['\"\\\\]|"
            + "\\$[a-z](?![a-z])";
    private static final Pattern INNER_GLUE = Pattern.compile("[a-z0-9](?:" + GLUE + ")+[a-z0-9]");
    private static final Pattern GLUED_WORD = Pattern.compile("[a-z0-9._-]*(?:(?:" + GLUE + ")+[a-z0-9._-]*)+");

    private static List<Request> corpus() throws Exception {
        return CrsCorpus.addRequests(new ArrayList<>(BenignCorpus.generate(1_000, 13L)));
    }

    @Test
    void readsTheCharactersAMatchStartsWith() {
        FirstChars f = FirstChars.of("(?:[;&|`\\n]|\\$\\()\\s*cat");
        assertThat(f.mayStartWith(';')).isTrue();
        assertThat(f.mayStartWith('$')).isTrue();
        assertThat(f.mayStartWith('c')).isFalse();
        assertThat(f.mayStartWith('é')).isFalse();
        FirstChars anchored = FirstChars.of("(?:^|[\\s,(])(\\d+)\\s*=");
        assertThat(anchored.mayStartWith('7')).as("^ consumes nothing").isTrue();
        assertThat(anchored.mayStartWith(',')).isTrue();
        assertThat(anchored.mayStartWith('a')).isFalse();
        assertThat(FirstChars.of("[^a]b")).as("negated class: most characters").isNull();
        assertThat(FirstChars.of("[^\\x00-\\x7f]b").mayStartWith('é')).as("negated class").isTrue();
        assertThat(FirstChars.of("(?<=[a-z])\\$x").mayStartWith('$')).as("look-behind consumes nothing").isTrue();
        assertThat(FirstChars.of("a*")).as("matches the empty string").isNull();
        assertThat(FirstChars.of("(a)\\1?|b?")).isNull();
        assertThat(FirstChars.of(".x")).as("any character").isNull();
        assertThat(FirstChars.of("(?i)select")).as("inline flags").isNull();
        assertThat(FirstChars.of("\\p{L}x")).as("unknown escape").isNull();
    }

    @Test
    void startGatesFindWhatFindFinds() throws Exception {
        Waf waf = new Waf(WafConfig.defaults().withParanoia(4).withAuditLog(""));
        List<PatternRule> rules = new ArrayList<>();
        for (RuleFamily f : waf.families()) if (f instanceof PatternFamily p) rules.addAll(p.rules());
        List<Pattern> patterns = new ArrayList<>();
        List<FirstChars> gates = new ArrayList<>();
        for (PatternRule rule : rules) {
            if (rule.pattern().flags() != 0) continue;
            List<String> regexes = new ArrayList<>();
            regexes.add(rule.pattern().pattern());
            List<String> parts = Alternatives.split(rule.pattern().pattern());
            if (parts != null) regexes.addAll(parts);
            for (String regex : regexes) {
                FirstChars gate = FirstChars.of(regex);
                if (gate == null) continue;
                patterns.add(Pattern.compile(regex));
                gates.add(gate);
            }
        }
        assertThat(gates).as("regexes with a start set").hasSizeGreaterThan(200);
        Set<String> values = new LinkedHashSet<>(List.of("", "a", ";cat /etc/passwd", "x\u2018 or 1=1--", "é;ls",
                "\ud83d\ude00;id", "1=1", " 1 like 1"));
        for (Request r : corpus()) {
            for (Target t : new Inspection(r, 255).targets()) {
                values.add(t.value());
                values.add(t.raw());
            }
        }
        long found = 0;
        long glueGated = 0;
        long gluedCompared = 0;
        for (String v : values) {
            for (int i = 0; i < patterns.size(); i++) {
                Matcher plain = patterns.get(i).matcher(v);
                if (!plain.find()) continue;
                Matcher gated = patterns.get(i).matcher(v);
                assertThat(gates.get(i).find(gated, v)).as("%s on %s", patterns.get(i), v).isTrue();
                assertThat(gated.start()).as("start of %s on %s", patterns.get(i), v).isEqualTo(plain.start());
                assertThat(gated.end()).as("end of %s on %s", patterns.get(i), v).isEqualTo(plain.end());
                found++;
            }
            if (v.length() <= 1_000) { // plain find is quadratic here: the reason for the faster search
                List<String> pieces = new ArrayList<>();
                Matcher glued = GLUED_WORD.matcher(v);
                while (glued.find()) pieces.add(glued.group());
                assertThat(CommandInjectionRules.gluedPieces(v)).as("RCE-215 pieces of %s", v).isEqualTo(pieces);
                if (!pieces.isEmpty()) gluedCompared++;
            }
            if (!CommandInjectionRules.mayHaveInnerGlue(v)) {
                assertThat(INNER_GLUE.matcher(v).find()).as("RCE-215 gate on %s", v).isFalse();
                glueGated++;
            }
        }
        assertThat(found).as("matches compared").isGreaterThan(1_000);
        // the command lists regrouped by first character find what the lists as written find
        long words = 0;
        for (String list : List.of(CommandInjectionRules.UNIX, CommandInjectionRules.UNIX_STRONG)) {
            String grouped = Alternations.factored(list);
            assertThat(grouped).isNotEqualTo(list);
            for (String shape : List.of("%s", "(?:[;&|`\\n]|\\$\\()\\s*(?:[\\w./-]*/)?%s(?:[\\s<>&|;`)+]|$)",
                    "\\b%s\\b\\s+\\S")) {
                Pattern written = Pattern.compile(shape.formatted(list));
                Pattern regrouped = Pattern.compile(shape.formatted(grouped));
                for (String v : values) {
                    Matcher a = written.matcher(v);
                    Matcher b = regrouped.matcher(v);
                    boolean expected = a.find();
                    assertThat(b.find()).as("%s on %s", regrouped, v).isEqualTo(expected);
                    if (expected) {
                        assertThat(b.start()).isEqualTo(a.start());
                        assertThat(b.end()).as("end of %s on %s", regrouped, v).isEqualTo(a.end());
                        words++;
                    }
                }
            }
        }
        assertThat(words).as("command list matches compared").isGreaterThan(1_000);
        assertThat(glueGated).as("values RCE-215's gate turns away").isGreaterThan(1_000);
        assertThat(gluedCompared).as("values with RCE-215 pieces compared").isGreaterThan(100);
        System.out.printf("start gates: %d regexes, %d values, %d matches identical%n", patterns.size(), values.size(), found);
    }

    @Test
    void compactLiteralScannerFindsWhatContainsFinds() throws Exception {
        List<String> values = new ArrayList<>();
        for (Request r : corpus()) for (Target t : new Inspection(r, 255).targets()) values.add(t.value());
        java.util.Random random = new java.util.Random(17);
        Set<String> literals = new LinkedHashSet<>(List.of("a", "ab", "abc", "bc", "c", "é", "../", "<script", "or 1="));
        // every ASCII character as a literal of its own (found from the value's characters, not the automaton)
        for (char c = 0; c < 128; c += (char) (1 + random.nextInt(2))) literals.add(String.valueOf(c));
        for (int i = 0; i < 2_000; i++) values.add(Long.toHexString(random.nextLong())); // session ids
        while (literals.size() < 2_000) {
            String v = values.get(random.nextInt(values.size()));
            if (v.length() < 2) continue;
            int start = random.nextInt(v.length() - 1);
            literals.add(v.substring(start, Math.min(v.length(), start + 1 + random.nextInt(8))));
        }
        List<String> list = List.copyOf(literals);
        io.requestflow.firewall.waf.LiteralScanner scanner = new io.requestflow.firewall.waf.LiteralScanner(list);
        long hits = 0;
        List<String> compared = new ArrayList<>(values.subList(0, Math.min(values.size(), 20_000)));
        compared.addAll(values.subList(values.size() - 2_000, values.size()));
        for (String v : compared) {
            long[] found = scanner.scan(v);
            long[] told = scanner.scan(v, new Target(Target.Kind.ARG, "a", v, v).charsLo(),
                    new Target(Target.Kind.ARG, "a", v, v).charsHi());
            assertThat(told).as("scan of %s told its characters", v).isEqualTo(found);
            for (int id = 0; id < list.size(); id++) {
                boolean expected = v.contains(list.get(id));
                boolean actual = found.length > 0 && (found[id >>> 6] & 1L << id) != 0;
                assertThat(actual).as("literal %s in %s", list.get(id), v).isEqualTo(expected);
                if (expected) hits++;
            }
        }
        assertThat(hits).as("literal occurrences compared").isGreaterThan(10_000);
    }

    @Test
    void cleanValueMemosChangeNoVerdict() throws Exception {
        List<Request> requests = corpus();
        requests.addAll(BenignCorpus.generate(1_000, 13L)); // the same values again, now remembered
        for (int level : new int[] {1, 4}) {
            WafConfig config = WafConfig.defaults().withParanoia(level).withAuditLog("");
            Waf remembering = new Waf(config);
            Waf plain = new Waf(config.withCleanHeaderMemo(0).withCleanValueMemo(0));
            int skipped = 0;
            int known = 0;
            for (Request r : requests) {
                Inspection inspection = remembering.prepare(r);
                skipped += inspection.skippedHeaders();
                for (Target t : inspection.targets()) if (t.knownClean()) known++;
                List<Match> expected = plain.inspect(new Inspection(r, 255)).matches();
                assertThat(remembering.inspect(inspection).matches()).as("PL%d %s %s", level, r.method(), r.uri())
                        .isEqualTo(expected);
            }
            assertThat(skipped).as("header values skipped at PL%d", level).isGreaterThan(1_000);
            assertThat(known).as("other values known clean at PL%d", level).isGreaterThan(5_000);
        }
    }

    @Test
    void scannerRulesRememberingCleanAgentsChangeNoVerdict() throws Exception {
        List<Request> requests = corpus();
        requests.addAll(BenignCorpus.generate(1_000, 13L)); // the same User-Agents again, now remembered
        // tools by name, so there is something to find without the CRS corpus too (a clean checkout lacks it)
        for (String agent : List.of("sqlmap/1.7.2#stable (https://sqlmap.org)", "Mozilla/5.00 (Nikto/2.5.0)",
                "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)")) {
            String raw = "GET /api/products HTTP/1.1\r\nHost: shop\r\nUser-Agent: " + agent + "\r\n\r\n";
            requests.add(PrefilterEquivalenceTest.parse(raw.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        }
        ScannerRules remembering = new ScannerRules();
        int matched = 0;
        for (Request r : requests) {
            Inspection inspection = new Inspection(r, 255);
            List<Match> expected = new ArrayList<>();
            new ScannerRules().inspect(inspection, 1, expected); // a fresh family remembers nothing
            List<Match> actual = new ArrayList<>();
            remembering.inspect(inspection, 1, actual);
            assertThat(actual).as("%s %s", r.method(), r.uri()).isEqualTo(expected);
            matched += expected.size();
        }
        assertThat(matched).as("requests naming a tool").isGreaterThan(0);
    }
}
