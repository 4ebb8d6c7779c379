package io.requestflow.firewall;

import io.requestflow.firewall.ratelimit.RateLimitConfig;
import io.requestflow.firewall.waf.WafConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the OWASP CRS regression corpus as raw bytes against a real firewall hop in block mode, at
 * each paranoia level, scored as the CRS project's cloud mode does (a stage that expects a rule to fire
 * passes on 403; one that expects no rule to fire passes on 200/404/405). Prints the table per family
 * and level (also written to target/crs-report.md) and fails if the rates fall below what we reached.
 */
class CrsCorpusTest {
    /** The CRS test setup's limits (README: arg_name_length 100, arg_length 400, total 64000, 255 args). */
    static FirewallConfig configFor(int paranoia) {
        FirewallConfig base = FirewallConfig.defaults();
        WafConfig waf = WafConfig.defaults().withParanoia(paranoia).withLimits(255, 100, 400, 64000).withAuditLog("");
        return new FirewallConfig(List.of(), List.of(), base.maxBodyBytes(), List.of(), List.of(),
                base.allowedMethods(), base.maxUriBytes(), base.maxHeaders(), base.maxHeaderBytes(), waf,
                new RateLimitConfig(0, 60_000, 50, 1000, 1000));
    }

    /** Minimum rates reached when this test was written: attack stages blocked / clean stages passed. */
    static final Map<Integer, double[]> FLOOR = Map.of(1, new double[] {0.92, 0.82}, 2, new double[] {0.95, 0.59},
            3, new double[] {0.97, 0.50}, 4, new double[] {0.97, 0.49});

    record Result(CrsCorpus.Stage stage, int status) {}

    @Test
    void corpusPassRatesPerFamilyAndParanoiaLevel() throws Exception {
        Path dir = CrsCorpus.locate();
        Assumptions.assumeTrue(dir != null, "the CRS corpus (shared/crs-tests) is not on this machine");
        List<CrsCorpus.Stage> stages = CrsCorpus.load(dir);
        assertThat(stages).hasSizeGreaterThan(4000);
        Map<Integer, List<Result>> byLevel = new TreeMap<>();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int level = 1; level <= Integer.getInteger("crs.maxLevel", 4); level++) {
                try (FirewallUnderTest fw = new FirewallUnderTest(configFor(level), null, null)) {
                    List<Future<Result>> futures = new ArrayList<>();
                    for (CrsCorpus.Stage s : stages) {
                        futures.add(pool.submit(() -> new Result(s, fw.send(s.request()))));
                    }
                    List<Result> results = new ArrayList<>();
                    for (Future<Result> f : futures) results.add(f.get());
                    byLevel.put(level, results);
                }
            }
        }
        String table = report(byLevel, stages.size(), (System.nanoTime() - start) / 1_000_000);
        System.out.println(table);
        Path target = Path.of("target");
        if (Files.isDirectory(target)) Files.writeString(target.resolve("crs-report.md"), table);
        if (System.getProperty("crs.failures") != null) {
            int level = Integer.getInteger("crs.failures");
            byLevel.get(level).stream().filter(r -> !r.stage().passes(r.status()))
                    .forEach(r -> System.out.println("FAIL " + r.stage().id() + " " + r.stage().expect() + " got "
                            + r.status() + " " + summary(r.stage().request())));
        }
        for (var e : byLevel.entrySet()) {
            double[] rates = rates(e.getValue());
            double[] floor = FLOOR.get(e.getKey());
            assertThat(rates[0]).as("PL%d attack stages blocked", e.getKey()).isGreaterThanOrEqualTo(floor[0]);
            assertThat(rates[1]).as("PL%d clean stages passed", e.getKey()).isGreaterThanOrEqualTo(floor[1]);
        }
    }

    private static String summary(byte[] request) {
        String text = new String(request, java.nio.charset.StandardCharsets.UTF_8);
        int headEnd = text.indexOf("\r\n\r\n");
        String line = text.substring(0, Math.max(0, text.indexOf("\r\n")));
        String body = headEnd < 0 ? "" : text.substring(headEnd + 4);
        StringBuilder odd = new StringBuilder();
        for (String h : text.substring(0, Math.max(0, headEnd)).split("\r\n")) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            if (h.equals(line) || lower.startsWith("host:") || lower.startsWith("accept:") || lower.startsWith("connection:")
                    || lower.startsWith("content-length:") || lower.contains("owasp crs test agent")) continue;
            odd.append(" [").append(h).append(']');
        }
        String all = line + odd + " || " + body.replace("\n", "\\n");
        return all.substring(0, Math.min(300, all.length()));
    }

    /** [attack stages blocked, clean stages passed, all stages passed] */
    static double[] rates(List<Result> results) {
        int fire = 0, firePass = 0, clean = 0, cleanPass = 0, pass = 0;
        for (Result r : results) {
            boolean ok = r.stage().passes(r.status());
            if (ok) pass++;
            if (r.stage().expect() == CrsCorpus.Expect.FIRE) {
                fire++;
                if (ok) firePass++;
            } else {
                clean++;
                if (ok) cleanPass++;
            }
        }
        return new double[] {fire == 0 ? 1 : firePass / (double) fire, clean == 0 ? 1 : cleanPass / (double) clean,
                results.isEmpty() ? 1 : pass / (double) results.size()};
    }

    static String report(Map<Integer, List<Result>> byLevel, int stageCount, long millis) {
        StringBuilder sb = new StringBuilder();
        sb.append("CRS regression corpus: ").append(stageCount).append(" stages per level, replayed in ")
                .append(millis).append(" ms\n\n");
        sb.append("| family | attack stages | clean stages |");
        for (int l : byLevel.keySet()) sb.append(" PL").append(l).append(" blocked | PL").append(l).append(" clean ok |");
        sb.append("\n|---|---|---|");
        for (int l : byLevel.keySet()) sb.append("---|---|");
        sb.append('\n');
        Map<String, Map<Integer, List<Result>>> byFamily = new TreeMap<>();
        for (var e : byLevel.entrySet()) {
            for (Result r : e.getValue()) {
                byFamily.computeIfAbsent(r.stage().family(), f -> new TreeMap<>())
                        .computeIfAbsent(e.getKey(), l -> new ArrayList<>()).add(r);
            }
        }
        byFamily.put("all", byLevel);
        for (var f : byFamily.entrySet()) {
            List<Result> first = f.getValue().values().iterator().next();
            long fire = first.stream().filter(r -> r.stage().expect() == CrsCorpus.Expect.FIRE).count();
            sb.append("| ").append(f.getKey()).append(" | ").append(fire).append(" | ").append(first.size() - fire)
                    .append(" |");
            for (var l : f.getValue().entrySet()) {
                double[] r = rates(l.getValue());
                sb.append(String.format(" %.1f%% | %.1f%% |", 100 * r[0], 100 * r[1]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
