package io.requestflow.benchmarks;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.RuleFamily;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.Waf;
import io.requestflow.firewall.waf.WafConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The WAF's own CPU cost on {@link FirewallThroughputBenchmark}'s request mix, in-process and with the
 * hop's configuration (both clean-value memos on): the 10,000 searches inspected in turn, as the hop's
 * {@code WafStage} does, against taking them apart and normalising every value; then, to show where the
 * time goes, the rule families run on the values of one kind at a time and each family on its own.
 * Thread CPU time, medians.
 * Run: {@code java -cp benchmarks/target/benchmarks.jar io.requestflow.benchmarks.WafMixCpu [rounds] [total]}
 * (with {@code total}, only the first line).
 */
public final class WafMixCpu {
    private WafMixCpu() {}

    /** The mix's requests as the hop receives them (same generator, seed, cookie and Referer as the bytes). */
    static List<Request> requests() {
        Random random = new Random(20261122L);
        List<Request> out = new ArrayList<>(FirewallThroughputBenchmark.MIX);
        String previous = "/";
        for (Request r : io.requestflow.firewall.BenignCorpus.searches(FirewallThroughputBenchmark.MIX, 20261122L)) {
            HttpHeaders h = new DefaultHttpHeaders();
            for (Map.Entry<String, String> e : r.headers()) {
                String name = e.getKey();
                if (name.equalsIgnoreCase("cookie") || name.equalsIgnoreCase("referer")) continue;
                h.add(name, e.getValue());
            }
            h.add("cookie", "session=" + Long.toHexString(random.nextLong()) + "; theme=dark; consent=yes");
            h.add("referer", "https://shop.requestflow.test" + previous);
            previous = r.uri();
            out.add(new Request(r.method(), r.uri(), h, new byte[0], r.remote()));
        }
        return out;
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        List<Request> mix = requests();
        Waf waf = new Waf(WafConfig.defaults());
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int level = waf.config().paranoiaLevel();
        for (int i = 0; i < 3; i++) for (Request r : mix) waf.inspect(r); // warm-up, and the memo filled
        double[] parse = new double[rounds];
        double[] inspect = new double[rounds];
        double[] allocated = new double[rounds];
        var alloc = (com.sun.management.ThreadMXBean) mx;
        long self = Thread.currentThread().threadId();
        int blocked = 0;
        for (int round = 0; round < rounds; round++) {
            long t = mx.getCurrentThreadCpuTime();
            for (Request r : mix) WafInspectionCpu.normalised(waf.prepare(r));
            parse[round] = (mx.getCurrentThreadCpuTime() - t) / 1000.0 / mix.size();
            t = mx.getCurrentThreadCpuTime();
            long bytes = alloc.getThreadAllocatedBytes(self);
            for (Request r : mix) if (!waf.inspect(r).matches().isEmpty()) blocked++;
            inspect[round] = (mx.getCurrentThreadCpuTime() - t) / 1000.0 / mix.size();
            allocated[round] = (alloc.getThreadAllocatedBytes(self) - bytes) / (double) mix.size();
        }
        System.out.printf("mix of %d searches: inspected %.1f us CPU per request (%.0f bytes allocated), take apart +"
                + " normalise only %.1f us (requests with a match: %d)%n", mix.size(), median(inspect), median(allocated),
                median(parse), blocked / rounds);
        if (args.length > 1 && args[1].equals("total")) return;
        // where it goes: families on the values of one kind only, and each family alone (memo as filled
        // above); each round on freshly prepared requests, since a target keeps its views and scans
        List<Match> sink = new ArrayList<>();
        for (Target.Kind kind : Target.Kind.values()) {
            int[] values = new int[1];
            double us = time(mx, rounds, () -> {
                List<Inspection> only = new ArrayList<>();
                values[0] = 0;
                for (Request r : mix) {
                    Inspection in = waf.prepare(r);
                    in.targets().removeIf(x -> x.kind() != kind);
                    values[0] += in.targets().size();
                    only.add(in);
                }
                return only;
            }, only -> {
                for (Inspection in : only) for (RuleFamily f : waf.families()) f.inspect(in, level, sink);
                sink.clear();
            }) / mix.size();
            if (values[0] == 0) continue;
            System.out.printf("  %-12s %5.2f values/request  %6.2f us per request (families on these values only)%n",
                    kind, values[0] / (double) mix.size(), us);
        }
        for (RuleFamily f : waf.families()) {
            double us = time(mx, rounds, () -> {
                List<Inspection> all = new ArrayList<>();
                for (Request r : mix) all.add(waf.prepare(r));
                return all;
            }, all -> {
                for (Inspection in : all) f.inspect(in, level, sink);
                sink.clear();
            }) / mix.size();
            System.out.printf("  %-24s %6.2f us per request%n", f.getClass().getSimpleName(), us);
        }
    }

    private static double time(ThreadMXBean mx, int rounds, java.util.function.Supplier<List<Inspection>> prepare,
                               java.util.function.Consumer<List<Inspection>> work) {
        double[] r = new double[rounds];
        work.accept(prepare.get());
        for (int i = 0; i < rounds; i++) {
            List<Inspection> in = prepare.get();
            long t = mx.getCurrentThreadCpuTime();
            work.accept(in);
            r[i] = (mx.getCurrentThreadCpuTime() - t) / 1000.0;
        }
        return median(r);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
