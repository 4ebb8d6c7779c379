package io.requestflow.firewall;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.normalize.Normalizer;
import io.requestflow.firewall.waf.rules.JavaRules;
import io.requestflow.firewall.waf.sqli.SqliDetector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new value costs was cut in the thirteenth cost pass without changing what comes out, compared here with
 * the paths it replaced over every value of both corpora and fuzzed values (session ids, prices, numbers with
 * prefixes, exponents and dots, words, punctuation, non-ASCII digits and letters):
 * <ul>
 *   <li>a target asked for its characters first takes a value with nothing to normalise as its own normal form and
 *   masks it in the same pass: the value is {@link Normalizer#normalize} of the raw value and the masks are its
 *   characters, whichever is asked first;</li>
 *   <li>the SQL detector told a value's characters gives what it gives without them, at both strictnesses;</li>
 *   <li>JAVA-150's tokens are what the regex it replaced finds (the capitals now counted without a branch).</li>
 * </ul>
 */
class FreshValueEquivalenceTest {
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/_-]{8,}={0,2}");

    @Test
    void newValuesComeOutAsBefore() throws Exception {
        List<Request> requests = new ArrayList<>(BenignCorpus.generate(3_000, 23L));
        CrsCorpus.addRequests(requests);
        Set<String> raws = new LinkedHashSet<>();
        for (Request r : requests) for (Target t : new Inspection(r, 255).targets()) raws.add(t.raw());
        raws.addAll(fuzzed(200_000, 23L));
        int plain = 0;
        int oneNumber = 0;
        for (String raw : raws) {
            String normal = Normalizer.normalize(raw);
            // the characters asked first, then the value; and the value first, then the characters
            Target masksFirst = target(raw);
            long lo = masksFirst.charsLo();
            long hi = masksFirst.charsHi();
            boolean wide = masksFirst.nonAscii();
            assertThat(masksFirst.value()).as("normal form of %s", raw).isEqualTo(normal);
            Target valueFirst = target(raw);
            assertThat(valueFirst.value()).isEqualTo(normal);
            long[] expected = Target.maskOf(normal); // the characters, one by one
            boolean expectedWide = !normal.chars().allMatch(c -> c < 128);
            assertThat(new long[] {lo, hi, wide ? 1 : 0}).as("characters of %s", raw)
                    .containsExactly(expected[0], expected[1], expectedWide ? 1 : 0);
            assertThat(new long[] {valueFirst.charsLo(), valueFirst.charsHi(), valueFirst.nonAscii() ? 1 : 0})
                    .containsExactly(expected[0], expected[1], expectedWide ? 1 : 0);
            if (normal == raw) plain++;
            for (boolean loose : new boolean[] {false, true}) {
                String before = SqliDetector.detect(normal, loose);
                assertThat(SqliDetector.detect(normal, loose, lo, hi, wide)).as("SQL shape of %s (loose %s)", normal, loose)
                        .isEqualTo(before);
            }
            if (!normal.isEmpty() && normal.charAt(0) >= '0' && normal.charAt(0) <= '9' && normal.chars().allMatch(
                    c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_' || c == '.')) {
                oneNumber++;
            }
            assertThat(JavaRules.encodedTokens(raw)).as("base64 tokens of %s", raw).isEqualTo(tokensByRegex(raw));
        }
        assertThat(plain).as("values that are their own normal form").isGreaterThan(100_000);
        assertThat(oneNumber).as("values led by a digit, of word characters and dots").isGreaterThan(50_000);
    }

    private static final java.lang.reflect.Constructor<Target> LAZY;

    static {
        try {
            LAZY = Target.class.getDeclaredConstructor(Target.Kind.class, String.class, String.class, boolean.class);
            LAZY.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A target as the inspection makes one for a new value: normalised when first read. */
    private static Target target(String raw) throws Exception {
        return LAZY.newInstance(Target.Kind.COOKIE, "c", raw, false);
    }

    /** JAVA-150's tokens as the regex found them: runs of the class, kept with two capitals and two small letters. */
    private static List<String> tokensByRegex(String raw) {
        List<String> out = new ArrayList<>();
        Matcher m = BASE64_RUN.matcher(raw);
        while (m.find()) {
            String token = m.group();
            long upper = token.chars().filter(c -> c >= 'A' && c <= 'Z').count();
            long lower = token.chars().filter(c -> c >= 'a' && c <= 'z').count();
            if (upper >= 2 && lower >= 2) out.add(token);
        }
        return out;
    }

    static List<String> fuzzed(int n, long seed) {
        Random random = new Random(seed);
        String[] alphabets = {
            "0123456789abcdef", "0123456789", "0123456789.", "0123456789abcdefxXbBeE_.+-", "abcxyzABCXYZ0123456789_",
            "0123456789 union select or and 'order by", "0123456789aZ%&\\\u0000\u0660\u0663\uff11\u00e9\u0131\u212a",
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/=-_ !\"#$%&'()*,.:;<>?@[]^`{|}~\t"};
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String alphabet = alphabets[random.nextInt(alphabets.length)];
            StringBuilder b = new StringBuilder();
            if (random.nextInt(3) == 0) b.append((char) ('0' + random.nextInt(10))); // led by a digit
            if (random.nextInt(8) == 0) b.append(random.nextBoolean() ? "0x" : random.nextBoolean() ? "0b" : "0X");
            for (int k = random.nextInt(20); k > 0; k--) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            out.add(i % 5 == 0 ? Long.toHexString(random.nextLong()) : b.toString());
        }
        return out;
    }
}
