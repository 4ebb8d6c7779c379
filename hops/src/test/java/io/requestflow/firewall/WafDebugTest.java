package io.requestflow.firewall;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Waf;
import io.requestflow.firewall.waf.WafConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

class WafDebugTest {
    @Test
    void debug() {
        List<Request> corpus = BenignCorpus.generate(10_000, 20_261_122L);
        for (int level = 1; level <= 4; level++) {
            Waf waf = new Waf(WafConfig.defaults().withParanoia(level));
            Map<String, Integer> counts = new TreeMap<>();
            int shown = 0;
            int blocked = 0;
            long t0 = System.nanoTime();
            for (Request r : corpus) {
                var v = waf.inspect(r);
                if (v.score() >= 5) {
                    blocked++;
                    v.matches().forEach(m -> counts.merge(m.ruleId(), 1, Integer::sum));
                    if (shown++ < 6) System.out.println("PL" + level + " " + v.matches());
                }
            }
            System.out.println("PL" + level + " blocked " + blocked + " " + counts + " " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }
}
