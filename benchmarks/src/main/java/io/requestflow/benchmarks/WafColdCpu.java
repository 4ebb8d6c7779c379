package io.requestflow.benchmarks;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Waf;
import io.requestflow.firewall.waf.WafConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;

/**
 * The WAF's CPU per request on {@link WafMixCpu}'s mix (the hop's configuration) with its data and code
 * in the caches (one request after another, as {@code WafMixCpu} runs it) against evicted from them: between
 * two requests a buffer of {@code evictKb} is walked, as the hop's other work (the sockets, the proxying,
 * the other processes on the machine) does between two requests an event loop inspects. Inside the hop the
 * WAF costs about what it costs here evicted, not warm, so a change is judged by both columns. Rounds
 * alternate warm and evicted; only {@code Waf.inspect} is timed (thread CPU, per request, the clock's own
 * cost measured on an empty region and subtracted); medians.
 * Run: {@code java -cp benchmarks/target/benchmarks.jar io.requestflow.benchmarks.WafColdCpu [rounds] [evictKb]}
 */
public final class WafColdCpu {
    private WafColdCpu() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int evictKb = args.length > 1 ? Integer.parseInt(args[1]) : 8192;
        List<Request> mix = WafMixCpu.requests();
        Waf waf = new Waf(WafConfig.defaults());
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        byte[] evict = new byte[evictKb * 1024];
        for (int i = 0; i < 3; i++) for (Request r : mix) waf.inspect(r); // warm-up, and the memos filled
        double[] warm = new double[rounds];
        double[] cold = new double[rounds];
        double[] clock = new double[rounds];
        long sink = 0;
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < 2; k++) {
                boolean evicted = (round % 2 == 0) == (k == 0);
                long spent = 0;
                long empty = 0;
                for (Request r : mix) {
                    if (evicted) for (int i = 0; i < evict.length; i += 64) evict[i]++;
                    long t = mx.getCurrentThreadCpuTime();
                    sink += waf.inspect(r).score();
                    long u = mx.getCurrentThreadCpuTime();
                    spent += u - t;
                    empty += mx.getCurrentThreadCpuTime() - u;
                }
                if (evicted) cold[round] = spent / 1000.0 / mix.size();
                else warm[round] = spent / 1000.0 / mix.size();
                clock[round] = empty / 1000.0 / mix.size();
            }
        }
        double c = median(clock);
        System.out.printf("mix of %d searches, %d rounds: inspected warm %.1f us CPU per request, with %d KB walked"
                + " between requests %.1f us (x%.1f); clock read %.2f us, subtracted (anomaly score sum %d)%n",
                mix.size(), rounds, median(warm) - c, evictKb, median(cold) - c, (median(cold) - c) / (median(warm) - c),
                c, sink);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
