package io.requestflow.firewall.waf.sqli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The remembered shapes of a fingerprint are the shapes matched afresh, whatever shared the table before. */
class SqliVerdictsTest {
    private static final String CLASSES = "s1nvfkEUB&oac(),;x";

    @Test
    void aRememberedVerdictIsTheFreshOne() {
        List<String> fingerprints = new ArrayList<>();
        for (int a = 0; a < CLASSES.length(); a++) {
            fingerprints.add("" + CLASSES.charAt(a));
            for (int b = 0; b < CLASSES.length(); b++) {
                fingerprints.add("" + CLASSES.charAt(a) + CLASSES.charAt(b));
                for (int c = 0; c < CLASSES.length(); c++) {
                    fingerprints.add("" + CLASSES.charAt(a) + CLASSES.charAt(b) + CLASSES.charAt(c));
                }
            }
        }
        Random random = new Random(20261122L);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder fp = new StringBuilder();
            for (int k = 4 + random.nextInt(7); k > 0; k--) fp.append(CLASSES.charAt(random.nextInt(CLASSES.length())));
            fingerprints.add(fp.toString());
        }
        // a small table, so slots are shared and replaced all the time; every fingerprint asked twice
        SqliDetector.Verdicts verdicts = new SqliDetector.Verdicts(16);
        int strict = 0;
        int loose = 0;
        for (int round = 0; round < 2; round++) {
            java.util.Collections.shuffle(fingerprints, random);
            for (String fp : fingerprints) {
                int expected = SqliDetector.shapesOf(fp);
                assertThat(verdicts.of(fp)).as(fp).isEqualTo(expected);
                assertThat(verdicts.of(fp)).as(fp + " again").isEqualTo(expected);
                if ((expected & 1) != 0) strict++;
                if ((expected & 2) != 0) loose++;
            }
        }
        assertThat(strict).as("fingerprints with a strict shape").isGreaterThan(1000);
        assertThat(loose).as("fingerprints with a loose shape").isGreaterThan(1000);
    }
}
