package io.requestflow.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.requestflow.benchmarks.FirewallCpuCost.median;

/**
 * Two builds of the firewall hop side by side in one process, for telling a change to the WAF from the machine's
 * noise: each build's bench jar is loaded in a class loader of its own and starts {@link FirewallThroughputBenchmark}'s
 * hops (rules on, rules off, one origin) on event loops of its own, and every client thread sends its requests to
 * the two builds in turn, so both see the same load at the same moment. Each build's cost is the CPU time of its own
 * event-loop threads (its hop and its origin; not the clients, the JIT or the collector) per request, per round;
 * rounds alternate rules on and rules off. {@link FirewallCpuCost} sets one build's hops against each other the same
 * way; this sets two builds against each other, so a change of about a microsecond shows through the machine's drift.
 * Run: {@code java [-Dfirewall.mix=repeated] -cp benchmarks.jar io.requestflow.benchmarks.FirewallAb A.jar B.jar
 * [rounds] [requests]}.
 */
public final class FirewallAb {
    private FirewallAb() {}

    private static final int THREADS = 4;
    private static final int WARMUP_PAIRS = 20;

    /** One build: its benchmark (in a class loader of its own), its hops' addresses and its event-loop threads. */
    private record Build(String name, Object bench, InetSocketAddress on, InetSocketAddress off, List<Thread> loops) {
        long cpu(ThreadMXBean mx) {
            return FirewallCpuCost.cpu(mx, loops);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: FirewallAb A.jar B.jar [rounds] [requests per round]  (bench jars: ./mvnw -Pbench -pl benchmarks -am package)");
            System.exit(2);
        }
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int perRound = args.length > 3 ? Integer.parseInt(args[3]) : 6000;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Build a = start("A", Path.of(args[0]));
        Build b = start("B", Path.of(args[1]));
        System.out.printf("A %s: %d event-loop threads; B %s: %d%n", args[0], a.loops.size(), args[1], b.loops.size());
        List<FirewallThroughputBenchmark.Client[]> clients = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            int offset = i * FirewallThroughputBenchmark.MIX / THREADS;
            clients.add(new FirewallThroughputBenchmark.Client[] {
                    new FirewallThroughputBenchmark.Client(a.on, offset), new FirewallThroughputBenchmark.Client(b.on, offset),
                    new FirewallThroughputBenchmark.Client(a.off, offset), new FirewallThroughputBenchmark.Client(b.off, offset)});
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int w = 0; w < WARMUP_PAIRS; w++) {
                round(pool, clients, true, w % 2 == 0, perRound);
                round(pool, clients, false, w % 2 == 0, perRound);
            }
            double[] aOn = new double[rounds], bOn = new double[rounds], aOff = new double[rounds], bOff = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    boolean rules = (r % 2 == 0) == (k == 0);
                    long ca = a.cpu(mx), cb = b.cpu(mx);
                    round(pool, clients, rules, r % 4 < 2, perRound);
                    double pa = (a.cpu(mx) - ca) / 1000.0 / perRound, pb = (b.cpu(mx) - cb) / 1000.0 / perRound;
                    if (rules) { aOn[r] = pa; bOn[r] = pb; } else { aOff[r] = pa; bOff[r] = pb; }
                }
            }
            double[] addA = new double[rounds], addB = new double[rounds], diff = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                addA[r] = aOn[r] - aOff[r];
                addB[r] = bOn[r] - bOff[r];
                diff[r] = bOn[r] - aOn[r];
            }
            System.out.printf("request mix: %s; %d rounds x %d requests per build and variant, %d client threads%n",
                    "repeated".equals(System.getProperty("firewall.mix")) ? "repeated" : "varied", rounds, perRound, THREADS);
            System.out.printf("event-loop CPU per request (hop + origin), medians: A on %.2f off %.2f us; B on %.2f off %.2f us%n",
                    median(aOn), median(aOff), median(bOn), median(bOff));
            System.out.printf("rules add (per round, median): A %.2f us, B %.2f us -> B/A %.2f%n", median(addA), median(addB),
                    median(addB) / median(addA));
            double[] sorted = diff.clone();
            Arrays.sort(sorted);
            System.out.printf("B - A with rules on, same moments (per round): median %+.2f us (middle half %+.2f to %+.2f)%n",
                    median(diff), sorted[rounds / 4], sorted[(3 * rounds) / 4]);
        } finally {
            pool.shutdownNow();
            for (var c : clients) for (var x : c) x.close();
            stop(a);
            stop(b);
        }
    }

    /** Starts a build's hops in a class loader of its own; the threads its engine starts carry that loader. */
    private static Build start(String name, Path jar) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Class<?> c = loader.loadClass(FirewallThroughputBenchmark.class.getName());
            Object bench = c.getConstructor().newInstance();
            c.getMethod("start").invoke(bench);
            InetSocketAddress on = address(c, bench, "rulesOn");
            InetSocketAddress off = address(c, bench, "rulesOff");
            List<Thread> loops = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getContextClassLoader() == loader && !t.isVirtual()) loops.add(t);
            }
            return new Build(name, bench, on, off, loops);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private static InetSocketAddress address(Class<?> c, Object bench, String field) throws Exception {
        Field f = c.getDeclaredField(field);
        f.setAccessible(true);
        Object hop = f.get(bench);
        return (InetSocketAddress) hop.getClass().getMethod("address").invoke(hop);
    }

    private static void stop(Build b) {
        try {
            b.bench.getClass().getMethod("stop").invoke(b.bench);
        } catch (ReflectiveOperationException e) {
            System.err.println("stopping " + b.name + ": " + e);
        }
    }

    /** Each client thread sends to A and B in turn ({@code aFirst} says which leads), with rules on or off. */
    private static void round(ExecutorService pool, List<FirewallThroughputBenchmark.Client[]> clients, boolean rules,
                              boolean aFirst, int requests) throws Exception {
        List<FirewallThroughputBenchmark.Client> a = new ArrayList<>();
        List<FirewallThroughputBenchmark.Client> b = new ArrayList<>();
        for (var c : clients) {
            a.add(c[rules ? 0 : 2]);
            b.add(c[rules ? 1 : 3]);
        }
        FirewallCpuCost.inTurn(pool, aFirst ? a : b, aFirst ? b : a, requests);
    }
}
