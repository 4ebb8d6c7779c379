package io.requestflow.benchmarks;

import io.requestflow.engine.hop.Engine;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@link FirewallCpuCost}'s question with the firewall hop on a core of its own: does the rules' cost there come
 * from the origin, the client threads and the other hop sharing the hop's cores and caches? Every thread of the
 * process is moved to CPU 1 ({@code taskset}, Linux), then each hop's event loops to CPU 0, so CPU 0
 * runs nothing but the hop being measured. The two hops take turns by phase (a phase of requests to the rules-on
 * hop alone, then one to the rules-off hop alone, the order swapped every round), not by request, so neither hop's
 * code and data push the other's out of CPU 0's caches. Per phase, the CPU time of the hop's event loops per
 * request; the loss is 1 - off / on, medians of the rounds.
 * Run: {@code java [-Dfirewall.mix=repeated] -cp benchmarks/target/benchmarks.jar
 * io.requestflow.benchmarks.FirewallOwnCore [rounds] [requests]} on a machine with CPUs 0 and 1.
 */
public final class FirewallOwnCore {
    private FirewallOwnCore() {}

    private static final int HOP_CPU = 0;
    private static final int REST_CPU = 1;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int perPhase = args.length > 1 ? Integer.parseInt(args[1]) : 8000;
        Affinity affinity = Affinity.find();
        if (affinity == null) {
            System.err.println("FirewallOwnCore needs Linux (/proc/self/task and util-linux's taskset) and CPUs 0 and 1;"
                    + " use FirewallCpuCost elsewhere.");
            System.exit(2);
        }
        int threads = 4;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        FirewallThroughputBenchmark setup = new FirewallThroughputBenchmark();
        setup.start();
        List<Thread> onLoops = FirewallThroughputBenchmark.loopThreads(setup.onEngine);
        List<Thread> offLoops = FirewallThroughputBenchmark.loopThreads(setup.offEngine);
        FirewallThroughputBenchmark.loopThreads(setup.originEngine);
        List<FirewallThroughputBenchmark.Client> on = FirewallThroughputBenchmark.clients(setup.rulesOn.address(), threads);
        List<FirewallThroughputBenchmark.Client> off = FirewallThroughputBenchmark.clients(setup.rulesOff.address(), threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            // every thread there is now (loops, JIT, collector, this one) to the rest's CPU; threads started later
            // (the pool's, on its first task) inherit their starter's, which is never a hop loop
            affinity.moveProcess(REST_CPU);
            affinity.moveLoops(setup.onEngine, HOP_CPU);
            affinity.moveLoops(setup.offEngine, HOP_CPU);
            int warmup = FirewallCpuCost.warmUp(k -> {
                alone(pool, on, perPhase);
                alone(pool, off, perPhase);
            });
            double[] hopOn = new double[rounds];
            double[] hopOff = new double[rounds];
            double[] added = new double[rounds];
            double[] loss = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                boolean onFirst = r % 2 == 0;
                double first = phase(mx, pool, onFirst ? on : off, onFirst ? onLoops : offLoops, perPhase);
                double second = phase(mx, pool, onFirst ? off : on, onFirst ? offLoops : onLoops, perPhase);
                hopOn[r] = onFirst ? first : second;
                hopOff[r] = onFirst ? second : first;
                added[r] = hopOn[r] - hopOff[r];
                loss[r] = 100 * (1 - hopOff[r] / hopOn[r]);
            }
            System.out.printf("request mix: %s%n", "repeated".equals(System.getProperty("firewall.mix"))
                    ? "one request over and over (-Dfirewall.mix=repeated)" : "10,000 distinct searches");
            System.out.printf("the hop's event loops on CPU %d alone, everything else on CPU %d; rounds %d x %d requests"
                    + " to each hop in phases, %d client threads; warm-up %d rounds%n", HOP_CPU, REST_CPU, rounds,
                    perPhase, threads, warmup);
            System.out.printf("the hop's own CPU per request: rules on %.1f us, rules off %.1f us; rules add %.1f us"
                    + " (median of rounds)%n", FirewallCpuCost.median(hopOn), FirewallCpuCost.median(hopOff),
                    FirewallCpuCost.median(added));
            System.out.printf("throughput loss of a CPU-bound firewall hop on a core of its own: %.0f %% (median of"
                    + " rounds; middle half %s)%n", FirewallCpuCost.median(loss), FirewallCpuCost.middleHalf(loss));
        } finally {
            pool.shutdownNow();
            for (var c : on) c.close();
            for (var c : off) c.close();
            setup.stop();
        }
    }

    /** One phase: {@code requests} requests to one hop alone; its event loops' CPU per request, in microseconds. */
    private static double phase(ThreadMXBean mx, ExecutorService pool, List<FirewallThroughputBenchmark.Client> clients,
                                List<Thread> loops, int requests) throws Exception {
        long cpu = FirewallCpuCost.cpu(mx, loops);
        alone(pool, clients, requests);
        return (FirewallCpuCost.cpu(mx, loops) - cpu) / 1000.0 / requests;
    }

    /** Each client thread sends {@code requests / clients} requests through its own client. */
    private static void alone(ExecutorService pool, List<FirewallThroughputBenchmark.Client> clients, int requests)
            throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        int each = requests / clients.size();
        for (var c : clients) {
            futures.add(pool.submit(() -> {
                for (int k = 0; k < each; k++) c.roundTrip();
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
    }

    /** Threads moved between CPUs with util-linux's {@code taskset} (Linux's {@code sched_setaffinity}). */
    private static final class Affinity {
        /** Null when this is not Linux with {@code taskset} and CPUs 0 and 1. */
        static Affinity find() throws InterruptedException {
            if (!Files.isDirectory(Path.of("/proc/self/task")) || Runtime.getRuntime().availableProcessors() < 2) {
                return null;
            }
            try {
                return new ProcessBuilder("taskset", "--version").redirectErrorStream(true).start().waitFor() == 0
                        ? new Affinity() : null;
            } catch (IOException e) {
                return null;
            }
        }

        /** Moves one thread of this process, by its Linux thread id, to one CPU. */
        void move(long tid, int cpu) {
            try {
                Process p = new ProcessBuilder("taskset", "-p", "-c", String.valueOf(cpu), String.valueOf(tid))
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0 && Files.exists(Path.of("/proc/self/task/" + tid))) { // else it ended meanwhile
                    throw new IllegalStateException("taskset could not move thread " + tid + " to CPU " + cpu + ": "
                            + out.strip() + " (is CPU " + cpu + " allowed to this process?)");
                }
            } catch (IOException e) {
                throw new IllegalStateException("taskset: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Every thread of the process now. */
        void moveProcess(int cpu) throws IOException {
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) move(Long.parseLong(task.getFileName().toString()), cpu);
            }
        }

        /** Each of the engine's event loops, found by the id it reads from {@code /proc/thread-self}. */
        void moveLoops(Engine engine, int cpu) {
            for (var loop : engine.group()) {
                long tid = loop.submit(() -> Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self"))
                        .getFileName().toString())).syncUninterruptibly().getNow();
                move(tid, cpu);
            }
        }
    }
}
