package io.requestflow.benchmarks;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Waf;
import io.requestflow.firewall.waf.WafConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link WafInspectionBenchmark}'s requests measured in thread CPU time rather than wall time, which
 * other processes on a shared machine disturb far less: in alternating rounds, parse-only (the
 * reference) and full inspection at PL1, medians over the rounds.
 * Run: {@code java -cp benchmarks/target/benchmarks.jar io.requestflow.benchmarks.WafInspectionCpu [rounds]}
 */
public final class WafInspectionCpu {
    private WafInspectionCpu() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        WafInspectionBenchmark b = new WafInspectionBenchmark();
        b.setUp();
        // the memos of clean header and other values off: every value of the request is inspected each time
        Waf waf = new Waf(WafConfig.defaults().withCleanHeaderMemo(0).withCleanValueMemo(0));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (String name : new String[] {"search", "order"}) {
            Request r = name.equals("search") ? b.search() : b.order();
            double[] parse = new double[rounds];
            double[] inspect = new double[rounds];
            int n = 2000;
            for (int i = 0; i < 5; i++) { // warm-up
                for (int k = 0; k < n; k++) waf.inspect(r);
            }
            Object sink = null;
            for (int round = 0; round < rounds; round++) {
                long t = mx.getCurrentThreadCpuTime();
                for (int k = 0; k < n; k++) sink = normalised(new Inspection(r, 255));
                parse[round] = (mx.getCurrentThreadCpuTime() - t) / 1000.0 / n;
                t = mx.getCurrentThreadCpuTime();
                for (int k = 0; k < n; k++) sink = waf.inspect(r);
                inspect[round] = (mx.getCurrentThreadCpuTime() - t) / 1000.0 / n;
            }
            if (sink == null) throw new AssertionError();
            double p = median(parse);
            double i = median(inspect);
            System.out.printf("%s: inspected %.1f us CPU, parse + normalise only %.1f us CPU, ratio %.1fx%n",
                    name, i, p, i / p);
        }
    }

    /** The reference's work: the request taken apart and every value normalised (done lazily otherwise). */
    static Inspection normalised(Inspection in) {
        for (io.requestflow.firewall.waf.Target t : in.targets()) t.value();
        return in;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
