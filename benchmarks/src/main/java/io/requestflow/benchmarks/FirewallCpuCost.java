package io.requestflow.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The firewall hop's rules-on versus rules-off cost measured so that a busy, shared machine disturbs it
 * little: the same two hops as {@link FirewallThroughputBenchmark}, each on event loops of its own, and every
 * client thread sending its requests to the two in turn (on, off, on, off, ...), so both see the same load at the
 * same moments. Per round, the CPU time of each hop's own event-loop threads per request (its HTTP server, its
 * checks, its client to the origin, the system calls of all three) gives the hop's cost with rules on and off; the
 * loss is 1 - off / on, what a firewall hop with a machine to itself loses in throughput when CPU-bound. The
 * whole run's CPU (both hops, the origin, the client threads, the JIT and the collector) is reported beside it:
 * what a one-machine run such as this one loses, where the rest of the path dilutes the hop's share. Medians of
 * the rounds' own figures, and the bytes each hop's event loops allocate per request. Both hops get the same
 * request mix ({@link FirewallThroughputBenchmark#requests}), each client thread cycling through it from its own
 * offset.
 * Run: {@code java -cp benchmarks/target/benchmarks.jar io.requestflow.benchmarks.FirewallCpuCost [rounds] [requests]};
 * add {@code -Dfirewall.mix=repeated} before {@code -cp} to send one request of the mix over and over (every
 * value then remembered clean: what the WAF costs every request before any new value), and
 * {@code -Dfirewall.perRound=true} to print each round (its CPU per request and the JIT's time in it).
 * The mix in use is printed first.
 */
public final class FirewallCpuCost {
    private FirewallCpuCost() {}

    /** Warm-up rounds at least, and at most, should compilation never settle (it then shows in the reported JIT time). */
    private static final int MIN_WARMUP = 10;
    private static final int MAX_WARMUP = 60;
    /** Rounds in a row with under 20 ms of compilation each that end the warm-up. */
    private static final int QUIET_ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        int threads = 4;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        FirewallThroughputBenchmark setup = new FirewallThroughputBenchmark();
        setup.start();
        List<Thread> onLoops = FirewallThroughputBenchmark.loopThreads(setup.onEngine);
        List<Thread> offLoops = FirewallThroughputBenchmark.loopThreads(setup.offEngine);
        List<FirewallThroughputBenchmark.Client> on = FirewallThroughputBenchmark.clients(setup.rulesOn.address(), threads);
        List<FirewallThroughputBenchmark.Client> off = FirewallThroughputBenchmark.clients(setup.rulesOff.address(), threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            var jit = ManagementFactory.getCompilationMXBean();
            int warmup = warmUp(k -> round(pool, on, off, k % 2 == 0, perRound));
            long jitBefore = jit.getTotalCompilationTime();
            double[] hopOn = new double[rounds];
            double[] hopOff = new double[rounds];
            double[] rest = new double[rounds];
            double[] hopLoss = new double[rounds];
            double[] wholeLoss = new double[rounds];
            double[] added = new double[rounds];
            double[] bytesOn = new double[rounds];
            double[] bytesOff = new double[rounds];
            boolean printRounds = Boolean.getBoolean("firewall.perRound");
            for (int r = 0; r < rounds; r++) {
                long roundJit = jit.getTotalCompilationTime();
                long cpu = os.getProcessCpuTime();
                long cpuOn = cpu(mx, onLoops);
                long cpuOff = cpu(mx, offLoops);
                long allocatedOn = allocated(mx, onLoops);
                long allocatedOff = allocated(mx, offLoops);
                round(pool, on, off, r % 2 == 0, perRound);
                bytesOn[r] = (allocated(mx, onLoops) - allocatedOn) / (double) perRound;
                bytesOff[r] = (allocated(mx, offLoops) - allocatedOff) / (double) perRound;
                hopOn[r] = (cpu(mx, onLoops) - cpuOn) / 1000.0 / perRound;
                hopOff[r] = (cpu(mx, offLoops) - cpuOff) / 1000.0 / perRound;
                // the origin, the client threads, the JIT and the collector, per request: the same for both hops
                rest[r] = ((os.getProcessCpuTime() - cpu) / 1000.0 / perRound - hopOn[r] - hopOff[r]) / 2;
                added[r] = hopOn[r] - hopOff[r];
                hopLoss[r] = 100 * (1 - hopOff[r] / hopOn[r]);
                wholeLoss[r] = 100 * (1 - (hopOff[r] + rest[r]) / (hopOn[r] + rest[r]));
                if (printRounds) {
                    System.out.printf("round %d: hop CPU per request on %.1f us, off %.1f us, rules add %.1f us; rest of"
                            + " the run %.1f us per request; JIT %d ms%n", r + 1, hopOn[r], hopOff[r], added[r], rest[r],
                            jit.getTotalCompilationTime() - roundJit);
                }
            }
            System.out.printf("request mix: %s%n", "repeated".equals(System.getProperty("firewall.mix"))
                    ? "one request over and over (-Dfirewall.mix=repeated)" : "10,000 distinct searches");
            System.out.printf("rounds %d x %d requests to each hop, %d client threads, %d cores; warm-up %d rounds,"
                    + " JIT compilation during the rounds %d ms%n", rounds, perRound, threads,
                    Runtime.getRuntime().availableProcessors(), warmup, jit.getTotalCompilationTime() - jitBefore);
            System.out.printf("the hop's own CPU per request (its event loops): rules on %.1f us, rules off %.1f us;"
                    + " rules add %.1f us (median of rounds)%n", median(hopOn), median(hopOff), median(added));
            System.out.printf("allocated on the hop's event loops per request: rules on %.0f bytes, rules off %.0f bytes%n",
                    median(bytesOn), median(bytesOff));
            System.out.printf("throughput loss of a CPU-bound firewall hop: %.0f %% (median of rounds; middle half %s)%n",
                    median(hopLoss), middleHalf(hopLoss));
            System.out.printf("the rest of this run (origin, clients, JIT, collector): %.1f us per request; loss of the"
                    + " whole one-machine run: %.0f %% (middle half %s)%n", median(rest), median(wholeLoss),
                    middleHalf(wholeLoss));
        } finally {
            pool.shutdownNow();
            for (var c : on) c.close();
            for (var c : off) c.close();
            setup.stop();
        }
    }

    /** One round of requests; {@code index} counts from 0. */
    interface Round {
        void run(int index) throws Exception;
    }

    /**
     * Runs rounds until both paths are compiled: C2 keeps deoptimizing and recompiling the WAF's branchy gates for
     * several rounds after the first few (0.4-1.5 s of compilation each, 2026-11-22). So: at least 10 rounds, then
     * until three rounds in a row compile for under 20 ms each.
     *
     * @return the rounds run
     */
    static int warmUp(Round round) throws Exception {
        var jit = ManagementFactory.getCompilationMXBean();
        int warmup = 0;
        int quiet = 0;
        while (warmup < MIN_WARMUP || (quiet < QUIET_ROUNDS && warmup < MAX_WARMUP)) {
            long compiled = jit.getTotalCompilationTime();
            round.run(warmup);
            warmup++;
            quiet = jit.getTotalCompilationTime() - compiled < 20 ? quiet + 1 : 0;
        }
        return warmup;
    }

    /** The CPU time the threads used so far, in nanoseconds. */
    static long cpu(ThreadMXBean mx, List<Thread> threads) {
        long sum = 0;
        for (Thread t : threads) sum += Math.max(0, mx.getThreadCpuTime(t.threadId()));
        return sum;
    }

    /** Bytes the threads allocated so far (HotSpot's per-thread count). */
    private static long allocated(ThreadMXBean mx, List<Thread> threads) {
        var hotspot = (com.sun.management.ThreadMXBean) mx;
        long sum = 0;
        for (Thread t : threads) sum += Math.max(0, hotspot.getThreadAllocatedBytes(t.threadId()));
        return sum;
    }

    static String middleHalf(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return String.format("%.0f-%.0f %%", s[s.length / 4], s[(3 * s.length) / 4]);
    }

    /** Each client thread sends {@code requests / threads} requests to each hop, in turn ({@code onFirst} leads). */
    private static void round(ExecutorService pool, List<FirewallThroughputBenchmark.Client> on,
                              List<FirewallThroughputBenchmark.Client> off, boolean onFirst, int requests) throws Exception {
        inTurn(pool, onFirst ? on : off, onFirst ? off : on, requests);
    }

    /**
     * Client thread i sends {@code requests / threads} requests through {@code first.get(i)} and as many through
     * {@code second.get(i)}, one and then the other, so both targets see the same load at the same moments.
     */
    static void inTurn(ExecutorService pool, List<FirewallThroughputBenchmark.Client> first,
                       List<FirewallThroughputBenchmark.Client> second, int requests) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        int each = requests / first.size();
        for (int i = 0; i < first.size(); i++) {
            var a = first.get(i);
            var b = second.get(i);
            futures.add(pool.submit(() -> {
                for (int k = 0; k < each; k++) {
                    a.roundTrip();
                    b.roundTrip();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
