package io.requestflow.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The firewall hop's rules-on versus rules-off cost ({@link FirewallCpuCost}) beside a reference WAF's, in one run:
 * a reference proxy with its WAF on and the same proxy with it off (started outside, each one process; see
 * {@code bench/firewall-vs-modsecurity.sh}, which runs nginx with and without ModSecurity and the Core Rule Set).
 * Every client thread sends each request of the mix to the four in turn (our rules on, ours off, the reference's on,
 * its off), so each pair sees the same load at the same moments. Per round: our hops' event-loop CPU per request
 * (as {@link FirewallCpuCost}), and each reference process's CPU per request from its threads'
 * {@code /proc/PID/task/TID/schedstat} (nanoseconds on a CPU). Each WAF's loss is 1 - off / on; medians of the rounds.
 * A reference that runs for milliseconds per request evicts our hops' code and data from the caches between two of
 * their requests, so our figures here are higher than {@link FirewallCpuCost}'s, measured without it.
 * Run: {@code java [-Dfirewall.mix=repeated] -cp benchmarks/target/benchmarks.jar
 * io.requestflow.benchmarks.FirewallReference ON_HOST:PORT ON_PID OFF_HOST:PORT OFF_PID [rounds] [requests]}.
 */
public final class FirewallReference {
    private FirewallReference() {}

    /** Where the reference with its WAF on is in the targets (ours on, ours off, the reference's on, its off). */
    private static final int REFERENCE_ON = 2;

    /** Requests the reference refused with its WAF on (any status but 200), warm-up included. */
    private static final java.util.concurrent.atomic.AtomicLong REFUSED = new java.util.concurrent.atomic.AtomicLong();

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: FirewallReference ON_HOST:PORT ON_PID OFF_HOST:PORT OFF_PID [rounds] [requests]\n"
                    + "  the reference proxy with its WAF on and off, each one process (bench/firewall-vs-modsecurity.sh"
                    + " starts them)");
            System.exit(2);
        }
        InetSocketAddress refOnAddress = address(args[0]);
        Path refOnTasks = tasks(args[1]);
        InetSocketAddress refOffAddress = address(args[2]);
        Path refOffTasks = tasks(args[3]);
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 16;
        int perRound = args.length > 5 ? Integer.parseInt(args[5]) : 8000;
        int threads = 4;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        FirewallThroughputBenchmark setup = new FirewallThroughputBenchmark();
        setup.start();
        List<Thread> onLoops = FirewallThroughputBenchmark.loopThreads(setup.onEngine);
        List<Thread> offLoops = FirewallThroughputBenchmark.loopThreads(setup.offEngine);
        List<List<FirewallThroughputBenchmark.Client>> targets = List.of(
                FirewallThroughputBenchmark.clients(setup.rulesOn.address(), threads),
                FirewallThroughputBenchmark.clients(setup.rulesOff.address(), threads),
                FirewallThroughputBenchmark.clients(refOnAddress, threads),
                FirewallThroughputBenchmark.clients(refOffAddress, threads));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            int warmup = FirewallCpuCost.warmUp(k -> inTurn(pool, targets, perRound));
            double[] ourOn = new double[rounds];
            double[] ourOff = new double[rounds];
            double[] refOn = new double[rounds];
            double[] refOff = new double[rounds];
            double[] ourLoss = new double[rounds];
            double[] refLoss = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long on = FirewallCpuCost.cpu(mx, onLoops);
                long off = FirewallCpuCost.cpu(mx, offLoops);
                long refOnBefore = cpu(refOnTasks);
                long refOffBefore = cpu(refOffTasks);
                inTurn(pool, targets, perRound);
                ourOn[r] = (FirewallCpuCost.cpu(mx, onLoops) - on) / 1000.0 / perRound;
                ourOff[r] = (FirewallCpuCost.cpu(mx, offLoops) - off) / 1000.0 / perRound;
                refOn[r] = (cpu(refOnTasks) - refOnBefore) / 1000.0 / perRound;
                refOff[r] = (cpu(refOffTasks) - refOffBefore) / 1000.0 / perRound;
                ourLoss[r] = 100 * (1 - ourOff[r] / ourOn[r]);
                refLoss[r] = 100 * (1 - refOff[r] / refOn[r]);
            }
            System.out.printf("request mix: %s; rounds %d x %d requests to each of the four, %d client threads;"
                    + " warm-up %d rounds%n", "repeated".equals(System.getProperty("firewall.mix"))
                    ? "one request over and over" : "10,000 distinct searches", rounds, perRound, threads, warmup);
            report("the firewall hop (its event loops)", ourOn, ourOff, ourLoss);
            report("the reference (its process)", refOn, refOff, refLoss);
            long sent = (long) (warmup + rounds) * (perRound / threads) * threads;
            System.out.printf("the reference with its WAF refused %d of the %d requests it was sent (%.3f %%); its cost"
                    + " per request counts them as requests%n", REFUSED.get(), sent, 100.0 * REFUSED.get() / sent);
        } finally {
            pool.shutdownNow();
            for (var clients : targets) for (var c : clients) c.close();
            setup.stop();
        }
    }

    private static void report(String what, double[] on, double[] off, double[] loss) {
        double[] added = new double[on.length];
        for (int r = 0; r < on.length; r++) added[r] = on[r] - off[r];
        System.out.printf("%s: CPU per request with its WAF %.1f us, without %.1f us; the WAF adds %.1f us; loss %.0f %%"
                + " (middle half %s)%n", what, FirewallCpuCost.median(on), FirewallCpuCost.median(off),
                FirewallCpuCost.median(added), FirewallCpuCost.median(loss), FirewallCpuCost.middleHalf(loss));
    }

    /** Client thread i sends {@code requests / threads} requests to each target through its i-th client, in turn. */
    private static void inTurn(ExecutorService pool, List<List<FirewallThroughputBenchmark.Client>> targets,
                               int requests) throws Exception {
        int threads = targets.get(0).size();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int client = i;
            futures.add(pool.submit(() -> {
                for (int k = 0; k < requests / threads; k++) {
                    for (int t = 0; t < targets.size(); t++) {
                        var c = targets.get(t).get(client);
                        // the reference WAF may refuse a request of the benign mix: counted, not fatal
                        if (t == REFERENCE_ON) {
                            if (c.exchange() != 200) REFUSED.incrementAndGet();
                        } else {
                            c.roundTrip();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("expected HOST:PORT, not '" + hostPort + "'");
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** The process's threads' directory, checked. */
    private static Path tasks(String pid) {
        Path tasks = Path.of("/proc", pid, "task");
        if (!Files.isDirectory(tasks)) {
            throw new IllegalArgumentException("no process " + pid + " to measure (" + tasks + " is not there)");
        }
        return tasks;
    }

    /** The process's time on a CPU so far, in nanoseconds: the first field of each of its threads' schedstat. */
    private static long cpu(Path tasks) throws IOException {
        long sum = 0;
        try (var threads = Files.list(tasks)) {
            for (Path t : threads.toList()) {
                try {
                    String s = Files.readString(t.resolve("schedstat"));
                    sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
                } catch (java.nio.file.NoSuchFileException ended) {
                    // a thread that ended meanwhile
                }
            }
        }
        return sum;
    }
}
