import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a proxied request's time goes, read the same way for any proxy process: from `perf script`
 * output of the tracepoints syscalls:sys_enter_recvfrom, syscalls:sys_exit_recvfrom,
 * syscalls:sys_enter_sendto and sched:sched_switch recorded for that process (`perf record -p PID`).
 * Used by bench/balancer-vs-haproxy.sh with LEGS=1; run on its own as
 * {@code perf script -i perf.data | java bench/ProxyLegs.java}.
 *
 * <p>Each socket's reads and sends are told apart by size, which holds for the benchmark's traffic
 * (short GET requests, 1 KB answers): a read under 600 bytes is a client's request, a larger one an
 * upstream's answer; a send over 600 bytes is an answer to a client, a smaller one a request upstream.
 * Per request it reports: in the proxy (client request read to answer sent on the same socket), the
 * upstream leg (request sent upstream to answer read on the same socket), outside (answer sent to the
 * client's next request read: the load generator and the kernel), the cycle of one client connection
 * (request read to next request read: what the closed loop of 64 connections sees, mean = 64 / rate),
 * the cycle per proxy thread (one slow thread shows here), and how the proxy's threads were switched
 * out: preempted while runnable (run-queue delay) or blocked (asleep in epoll, or on a lock), each until
 * the thread's next read or send.
 */
public final class ProxyLegs {
    private static final Pattern SYSCALL = Pattern.compile(
            "\\s(\\d+)\\s+\\[\\d+\\]\\s+([\\d.]+):\\s+syscalls:sys_(enter|exit)_(recvfrom|sendto):\\s*(.*)");
    private static final Pattern SWITCH = Pattern.compile(
            "\\s(\\d+)\\s+\\[\\d+\\]\\s+([\\d.]+):\\s+sched:sched_switch:.*prev_state=(\\S+)");
    private static final Pattern FD = Pattern.compile("fd: (0x[0-9a-f]+)");
    private static final Pattern LEN = Pattern.compile("len: (0x[0-9a-f]+)");
    private static final int SMALL = 600;

    enum Kind { CLIENT_REQUEST, CLIENT_ANSWER, UPSTREAM_REQUEST, UPSTREAM_ANSWER }

    record Event(double time, int fd, Kind kind, String thread) {}

    public static void main(String[] args) throws Exception {
        List<Event> events = new ArrayList<>();
        Map<String, Integer> readingFd = new HashMap<>();
        Map<String, double[]> switchedOut = new HashMap<>(); // thread -> {time, 1 if runnable}
        List<Double> preempted = new ArrayList<>(), blocked = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            Matcher s = SWITCH.matcher(line);
            if (s.find()) {
                switchedOut.put(s.group(1), new double[] {Double.parseDouble(s.group(2)),
                        s.group(3).startsWith("R") ? 1 : 0});
                continue;
            }
            Matcher m = SYSCALL.matcher(line);
            if (!m.find()) continue;
            String thread = m.group(1);
            double time = Double.parseDouble(m.group(2));
            double[] out = switchedOut.remove(thread);
            if (out != null) (out[1] == 1 ? preempted : blocked).add(time - out[0]);
            String rest = m.group(5);
            if (m.group(4).equals("sendto")) {
                int fd = hex(FD, rest);
                events.add(new Event(time, fd, hex(LEN, rest) > SMALL ? Kind.CLIENT_ANSWER : Kind.UPSTREAM_REQUEST, thread));
            } else if (m.group(3).equals("enter")) {
                readingFd.put(thread, hex(FD, rest));
            } else {
                Integer fd = readingFd.remove(thread);
                long read = returned(rest);
                if (fd != null && read > 0) {
                    events.add(new Event(time, fd, read > SMALL ? Kind.UPSTREAM_ANSWER : Kind.CLIENT_REQUEST, thread));
                }
            }
        }
        events.sort((a, b) -> Double.compare(a.time(), b.time()));

        Map<Integer, Event> last = new HashMap<>(), lastRequest = new HashMap<>();
        List<Double> inProxy = new ArrayList<>(), upstream = new ArrayList<>(), outside = new ArrayList<>(),
                cycle = new ArrayList<>();
        Map<String, List<Double>> cycleByThread = new TreeMap<>();
        for (Event e : events) {
            Event before = last.get(e.fd());
            switch (e.kind()) {
                case CLIENT_REQUEST -> {
                    Event previous = lastRequest.put(e.fd(), e);
                    if (previous != null) {
                        cycle.add(e.time() - previous.time());
                        cycleByThread.computeIfAbsent(e.thread(), t -> new ArrayList<>()).add(e.time() - previous.time());
                    }
                    if (before != null && before.kind() == Kind.CLIENT_ANSWER) outside.add(e.time() - before.time());
                }
                case CLIENT_ANSWER -> {
                    if (before != null && before.kind() == Kind.CLIENT_REQUEST) inProxy.add(e.time() - before.time());
                }
                case UPSTREAM_ANSWER -> {
                    if (before != null && before.kind() == Kind.UPSTREAM_REQUEST) upstream.add(e.time() - before.time());
                }
                case UPSTREAM_REQUEST -> { }
            }
            last.put(e.fd(), e);
        }
        long requests = events.stream().filter(e -> e.kind() == Kind.CLIENT_REQUEST).count();
        System.out.printf("   %d client requests read in the traced window%n", requests);
        print("in the proxy (request read -> answer sent)", inProxy, requests);
        print("upstream leg (sent upstream -> answer read)", upstream, requests);
        print("outside (answer sent -> next request read)", outside, requests);
        print("connection cycle (request -> next request)", cycle, requests);
        cycleByThread.forEach((thread, values) -> {
            if (values.size() > cycle.size() / 20) print("  cycle on thread " + thread, values, requests);
        });
        print("threads preempted (runnable, off CPU)", preempted, requests);
        print("threads blocked (asleep, off CPU)", blocked, requests);
    }

    private static int hex(Pattern p, String s) {
        Matcher m = p.matcher(s);
        if (!m.find()) throw new IllegalArgumentException("no " + p + " in: " + s);
        return Integer.parseUnsignedInt(m.group(1).substring(2), 16);
    }

    /** sys_exit_recvfrom's return value, printed as hex ("0x...") or decimal depending on perf's version. */
    private static long returned(String rest) {
        String v = rest.replaceAll(".*?(0x[0-9a-f]+|-?\\d+)\\s*$", "$1");
        return v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
    }

    private static void print(String name, List<Double> values, long requests) {
        if (values.isEmpty()) return;
        Collections.sort(values);
        double sum = 0;
        for (double v : values) sum += v;
        System.out.printf("   %-44s n %7d (%4.0f per 1k requests)  mean %6.3f  p50 %6.3f  p90 %6.3f  p99 %6.3f  max %7.2f ms%n",
                name, values.size(), values.size() * 1000.0 / Math.max(1, requests), sum / values.size() * 1e3,
                at(values, .5), at(values, .9), at(values, .99), values.getLast() * 1e3);
    }

    private static double at(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p))) * 1e3;
    }
}
