package io.requestflow.console;

import io.requestflow.cli.load.LoadRun;
import io.requestflow.cli.load.Outcome;
import io.requestflow.cli.load.Scenario;
import io.requestflow.engine.net.HostPort;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Traffic the console sends through the path while you watch it (and break things): the project's load
 * generator with its default mix (product pages, products, search, images, logins, reviews, orders), open
 * loop at a fixed rate, one run at a time, stopped on request or after its duration. What came back in the
 * last {@value #WINDOW_SECONDS} seconds is kept in a bounded ring, so its status is cheap and current.
 */
final class TrafficRun {
    static final double MAX_RATE = 500;
    static final int MAX_SECONDS = 600;
    static final int WINDOW_SECONDS = 5;
    private static final int RING = 4096; // more than MAX_RATE * WINDOW_SECONDS

    private final PathDirectory path;
    private Thread runner;
    private double rate;
    private int seconds;
    private long startedNanos;
    private String failure;
    private long total;
    private long totalOk;
    // the ring: when each outcome ended, its status (0: no answer) and latency from its intended start
    private final long[] ends = new long[RING];
    private final int[] statuses = new int[RING];
    private final long[] latencies = new long[RING];
    private int next;

    TrafficRun(PathDirectory path) {
        this.path = path;
    }

    /** Starts a run; false when one is running already. */
    synchronized boolean start(double requestsPerSecond, int durationSeconds) {
        if (!(requestsPerSecond > 0 && requestsPerSecond <= MAX_RATE)) {
            throw new IllegalArgumentException("rate must be above 0 and at most " + (int) MAX_RATE + " requests per second");
        }
        if (durationSeconds < 1 || durationSeconds > MAX_SECONDS) {
            throw new IllegalArgumentException("seconds must be 1.." + MAX_SECONDS);
        }
        if (running()) return false;
        Scenario scenario = Scenario.defaults();
        scenario.target = "http://" + path.edgeAuthority();
        scenario.dns = HostPort.of(path.dns()).toString();
        scenario.rate = requestsPerSecond;
        scenario.durationSeconds = durationSeconds;
        scenario.warmupSeconds = 0;
        LoadRun run = new LoadRun(scenario, null, this::record);
        rate = requestsPerSecond;
        seconds = durationSeconds;
        startedNanos = System.nanoTime();
        failure = null;
        total = 0;
        totalOk = 0;
        Arrays.fill(ends, 0);
        runner = Thread.ofPlatform().daemon().name("console-traffic").start(() -> {
            try {
                run.run();
            } catch (InterruptedException stopped) {
                // stopped from the page
            } catch (RuntimeException e) {
                synchronized (this) {
                    failure = e.getMessage();
                }
            }
        });
        return true;
    }

    synchronized void stop() {
        if (runner != null) runner.interrupt();
    }

    synchronized boolean running() {
        return runner != null && runner.isAlive();
    }

    private synchronized void record(Outcome o) {
        int i = next++ & (RING - 1);
        ends[i] = o.endNanos();
        statuses[i] = o.error() == null || o.error() == Outcome.Kind.STATUS ? o.status() : 0;
        latencies[i] = o.latencyNanos();
        total++;
        if (o.status() >= 200 && o.status() < 400) totalOk++;
    }

    /** What the page shows: the run, and what came back in the last few seconds. */
    synchronized Map<String, Object> status() {
        long now = System.nanoTime();
        long since = now - WINDOW_SECONDS * 1_000_000_000L;
        int requests = 0, ok = 0, clientErrors = 0, serverErrors = 0, noAnswer = 0;
        long[] window = new long[RING];
        for (int i = 0; i < RING; i++) {
            if (ends[i] == 0 || ends[i] < since) continue;
            int s = statuses[i];
            if (s == 0) noAnswer++;
            else if (s >= 500) serverErrors++;
            else if (s >= 400) clientErrors++;
            else ok++;
            window[requests++] = latencies[i];
        }
        Arrays.sort(window, 0, requests);
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("seconds", WINDOW_SECONDS);
        last.put("requests", requests);
        last.put("ok", ok);
        last.put("clientErrors", clientErrors);
        last.put("serverErrors", serverErrors);
        last.put("noAnswer", noAnswer);
        last.put("p50Ms", requests == 0 ? null : window[(int) (requests * 0.50)] / 1e6);
        last.put("p99Ms", requests == 0 ? null : window[Math.min(requests - 1, (int) (requests * 0.99))] / 1e6);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("running", running());
        body.put("rate", rate);
        body.put("seconds", seconds);
        body.put("elapsedSeconds", runner == null ? 0 : Math.min(seconds, (now - startedNanos) / 1_000_000_000L));
        body.put("completed", total);
        body.put("completedOk", totalOk);
        body.put("error", failure);
        body.put("last", last);
        return body;
    }
}
