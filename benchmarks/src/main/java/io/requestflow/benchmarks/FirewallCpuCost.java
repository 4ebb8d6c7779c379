package io.requestflow.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The firewall hop's rules-on versus rules-off cost measured so that a busy, shared machine disturbs it
 * little: the same two hops as {@link FirewallThroughputBenchmark}, driven in alternating rounds (on,
 * off, on, off, ...) so both see the same background load, reporting the process CPU time per request
 * and the throughput of each round; medians over the rounds, and the median of each round's own loss (its "on"
 * and "off" ran back to back, so the machine's drift touches both). On a CPU-bound host, throughput loss is
 * about 1 - (CPU per request off / CPU per request on). Both hops get the same request mix
 * ({@link FirewallThroughputBenchmark#requests}), each client thread cycling through it from its own offset.
 * Run: {@code java -cp benchmarks/target/benchmarks.jar io.requestflow.benchmarks.FirewallCpuCost [rounds] [requests]};
 * add {@code -Dfirewall.mix=repeated} before {@code -cp} to send one request of the mix over and over (every
 * value then remembered clean: what the WAF costs every request before any new value), and
 * {@code -Dfirewall.perRound=true} to print each round (its CPU per request and the JIT's time in it).
 * The mix in use is printed first.
 */
public final class FirewallCpuCost {
    private FirewallCpuCost() {}

    /** Warm-up pairs at least, and at most, should compilation never settle (it then shows in the reported JIT time). */
    private static final int MIN_WARMUP = 10;
    private static final int MAX_WARMUP = 60;
    /** Pairs in a row with under 20 ms of compilation each that end the warm-up. */
    private static final int QUIET_PAIRS = 3;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        int threads = 4;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        FirewallThroughputBenchmark setup = new FirewallThroughputBenchmark();
        setup.start();
        List<FirewallThroughputBenchmark.Client> on = new ArrayList<>();
        List<FirewallThroughputBenchmark.Client> off = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int offset = i * FirewallThroughputBenchmark.MIX / threads;
            on.add(new FirewallThroughputBenchmark.Client(setup.rulesOn.address(), offset));
            off.add(new FirewallThroughputBenchmark.Client(setup.rulesOff.address(), offset));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            // Warm-up until both paths are compiled: the process CPU counts the JIT's threads too, and the WAF's
            // code keeps C2 busy for several rounds after the first few (it had counted up to ~100 us per request
            // in the first measured rounds). One quiet pair was not enough: C2 went on deoptimizing and
            // recompiling the WAF's branchy gates for another ten pairs (0.4-1.5 s of compilation each, rules
            // adding 25-160 us per request in them against 25-30 after, 2026-11-22). So: at least 10 pairs,
            // then until three pairs in a row compile for under 20 ms each.
            var jit = ManagementFactory.getCompilationMXBean();
            int warmup = 0;
            int quiet = 0;
            while (warmup < MIN_WARMUP || (quiet < QUIET_PAIRS && warmup < MAX_WARMUP)) {
                long compiled = jit.getTotalCompilationTime();
                round(pool, on, perRound);
                round(pool, off, perRound);
                warmup++;
                quiet = jit.getTotalCompilationTime() - compiled < 20 ? quiet + 1 : 0;
            }
            long jitBefore = jit.getTotalCompilationTime();
            double[] cpuOn = new double[rounds];
            double[] cpuOff = new double[rounds];
            double[] rateOn = new double[rounds];
            double[] rateOff = new double[rounds];
            boolean printRounds = Boolean.getBoolean("firewall.perRound");
            for (int r = 0; r < rounds; r++) {
                long roundJit = jit.getTotalCompilationTime();
                boolean onFirst = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean rules = onFirst == (k == 0);
                    long cpu = os.getProcessCpuTime();
                    long wall = System.nanoTime();
                    round(pool, rules ? on : off, perRound);
                    double cpuPer = (os.getProcessCpuTime() - cpu) / 1000.0 / perRound;
                    double rate = perRound / ((System.nanoTime() - wall) / 1e9);
                    if (rules) {
                        cpuOn[r] = cpuPer;
                        rateOn[r] = rate;
                    } else {
                        cpuOff[r] = cpuPer;
                        rateOff[r] = rate;
                    }
                }
                if (printRounds) {
                    System.out.printf("round %d: CPU per request on %.1f us, off %.1f us, rules add %.1f us; JIT %d ms%n",
                            r + 1, cpuOn[r], cpuOff[r], cpuOn[r] - cpuOff[r], jit.getTotalCompilationTime() - roundJit);
                }
            }
            double mOn = median(cpuOn);
            double mOff = median(cpuOff);
            System.out.printf("request mix: %s%n", "repeated".equals(System.getProperty("firewall.mix"))
                    ? "one request over and over (-Dfirewall.mix=repeated)" : "10,000 distinct searches");
            System.out.printf("rounds %d x %d requests per variant, %d client threads, %d cores; warm-up %d pairs,"
                    + " JIT compilation during the rounds %d ms%n", rounds, perRound, threads,
                    Runtime.getRuntime().availableProcessors(), warmup, jit.getTotalCompilationTime() - jitBefore);
            System.out.printf("CPU per request: rules on %.1f us, rules off %.1f us -> off/on %.2f (throughput loss if CPU-bound: %.0f %%)%n",
                    mOn, mOff, mOff / mOn, 100 * (1 - mOff / mOn));
            System.out.printf("throughput (median of rounds): rules on %.0f req/s, rules off %.0f req/s -> on/off %.2f%n",
                    median(rateOn), median(rateOff), median(rateOn) / median(rateOff));
            // each round's "on" and "off" ran back to back, so the machine's drift (the "off" hop alone moves by
            // half over minutes on this VM) touches both: the loss per round is steadier than the medians' ratio
            double[] loss = new double[rounds];
            double[] added = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                loss[r] = 100 * (1 - cpuOff[r] / cpuOn[r]);
                added[r] = cpuOn[r] - cpuOff[r];
            }
            double[] sorted = loss.clone();
            Arrays.sort(sorted);
            System.out.printf("per round (on and off back to back): loss median %.0f %% (middle half %.0f-%.0f %%),"
                    + " rules add %.1f us per request (median)%n", median(loss), sorted[rounds / 4],
                    sorted[(3 * rounds) / 4], median(added));
        } finally {
            pool.shutdownNow();
            for (var c : on) c.close();
            for (var c : off) c.close();
            setup.stop();
        }
    }

    private static void round(ExecutorService pool, List<FirewallThroughputBenchmark.Client> clients, int requests)
            throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        int each = requests / clients.size();
        for (var c : clients) {
            futures.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) c.roundTrip();
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
