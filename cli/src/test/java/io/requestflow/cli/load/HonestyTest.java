package io.requestflow.cli.load;

import org.HdrHistogram.Histogram;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generator is honest. A test server injects a known latency (uniform 5-25 ms) and, 1.5 s in, a
 * 600 ms stall. The percentiles the generator reports match, within the stated tolerance (5% + 3 ms),
 * the latency the server actually delivered at every percentile up to the max (when it wrote each
 * response, counted from the request's intended send time: the injected delay and stall plus this
 * machine's scheduling noise, which on a shared 2-core box can add tens of ms), and are never below the
 * designed distribution by more than the tolerance plus one delay's range (20 ms: each request draws one
 * delay, the design many). The stall shows up in every request that should
 * have been sent during it, with at least the time left in the stall, because the generator keeps
 * sending on schedule and measures from the schedule, not from when a connection was free. A run with
 * failed requests is retried rather than compared: a failure is recorded with the time to it, which no
 * designed distribution predicts.
 */
class HonestyTest {
    /** 15% of the 4 s run: the checked percentiles sit clearly inside the normal part or inside the stall. */
    static final long STALL_MS = 600;
    /** Stated tolerance: a reported percentile may differ from the injected one by 5% of it plus 3 ms. */
    static double tolerance(double expectedMs) {
        return expectedMs * 0.05 + 3.0;
    }

    /** Attempts allowed for the accuracy (upper-side) checks; the one-sided checks must hold in every attempt. */
    static final int ATTEMPTS = 3;

    @Test
    void percentilesMatchTheInjectedLatencyAndTheStallIsNotHidden() throws Exception {
        List<String> misses = new ArrayList<>();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            String miss = attempt();
            if (miss == null) return;
            misses.add("attempt " + attempt + ": " + miss);
        }
        throw new AssertionError("reported latency above the server's by more than the tolerance, or failed requests,"
                + " in every attempt (the generator's own process was starved of CPU): " + misses);
    }

    /**
     * One run. What must always hold is asserted (nothing under-reported, every request counted, the stall in
     * every request due during it); returns null when the figures are also within the tolerance above, or
     * what was not.
     */
    private static String attempt() throws Exception {
        try (InjectedLatencyServer server = new InjectedLatencyServer(5, 25, 1_500, STALL_MS)) {
            Scenario s = scenario(server.port());
            ConcurrentLinkedQueue<Outcome> all = new ConcurrentLinkedQueue<>();
            LoadRun.Result r = new LoadRun(s, null, all::add).run();

            List<Outcome> measured = all.stream().filter(o -> o.intendedNanos() >= r.originNanos()).toList();
            // on schedule: every intended request was sent and counted, none skipped for the stall
            assertThat((double) measured.size()).isCloseTo(s.rate * s.durationSeconds, Offset.offset(2.0));
            assertThat(r.snapshot().count()).isEqualTo(measured.size());
            long errors = measured.stream().filter(o -> o.error() != null).count();
            assertThat(r.snapshot().errorCount()).isEqualTo(errors);

            // A failed request (a refused or reset connection on a starved machine) is recorded with the time to its
            // failure, which the designed distribution knows nothing of: such a run is retried, not compared.
            if (errors > 0) return errors + " errors, " + context(server, measured, r);

            // 1. never below the designed distribution (uniform 5-25 ms, plus the stall) by more than the tolerance and
            // one delay's range: each request draws one delay where the design averages many, and in the stall's tail
            // (p90 here) that alone moves a percentile by about 20 ms. A simulation of an exact generator and server
            // (20,000 runs) went as low as -22 ms; with the tolerance alone 1.1 % of its runs failed, as CI did once
            // and a local CI run once.
            Histogram designed = Recorder.histogram();
            SplittableRandom random = new SplittableRandom(7);
            for (Outcome o : measured) {
                for (int i = 0; i < 20; i++) {
                    long delay = (long) ((server.minMs + random.nextDouble() * (server.maxMs - server.minMs)) * 1e6);
                    designed.recordValue(TimeUnit.NANOSECONDS.toMicros(server.respondAt(o.intendedNanos(), delay)
                            - o.intendedNanos()));
                }
            }
            Histogram reported = r.snapshot().all();
            String context = context(server, measured, r);
            for (double p : new double[] {50, 75, 90, 99}) {
                double w = designed.getValueAtPercentile(p) / 1000.0;
                assertThat(reported.getValueAtPercentile(p) / 1000.0).as("p%s against the designed %.2f ms (%s)", p, w, context)
                        .isGreaterThanOrEqualTo(w - tolerance(w) - (server.maxMs - server.minMs));
            }
            // the stall alone sets p90 and above: a generator that waited for replies would report about 25 ms there
            assertThat(reported.getValueAtPercentile(90) / 1000.0).isGreaterThan(100);

            // 2. what the server actually delivered: when it wrote each response, from the intended send time
            Histogram delivered = Recorder.histogram();
            for (Outcome o : measured) {
                Long w = server.written.get(o.planned().path());
                if (w != null) delivered.recordValue(TimeUnit.NANOSECONDS.toMicros(w - o.intendedNanos()));
            }
            List<String> misses = new ArrayList<>();
            for (double p : new double[] {50, 75, 90, 95, 99, 99.9, 100}) {
                double w = delivered.getValueAtPercentile(p) / 1000.0;
                double g = reported.getValueAtPercentile(p) / 1000.0;
                // a response is read after it is written: the generator can never report less
                assertThat(g).as("p%s: delivered %.2f ms, reported %.2f ms", p, w, g).isGreaterThanOrEqualTo(w - 0.01);
                if (g > w + tolerance(w)) misses.add(String.format(java.util.Locale.ROOT, "p%s delivered %.2f reported %.2f", p, w, g));
            }

            // every request due during the stall waited for its end, measured from when it should have left
            long s0 = server.stallStart;
            long s1 = server.stallEnd;
            List<Outcome> during = new ArrayList<>();
            for (Outcome o : measured) if (o.intendedNanos() >= s0 && o.intendedNanos() < s1) during.add(o);
            assertThat((double) during.size()).isCloseTo(s.rate * STALL_MS / 1000.0, Offset.offset(2.0));
            for (Outcome o : during) {
                if (o.intendedNanos() < s0 + 10_000_000L || o.intendedNanos() > s1 - 50_000_000L) continue; // edges: transit time
                double owed = (s1 - o.intendedNanos()) / 1e6 + server.minMs;
                assertThat(o.latencyNanos() / 1e6).as("request intended %.1f ms into the stall",
                        (o.intendedNanos() - s0) / 1e6).isGreaterThanOrEqualTo(owed - 1.0);
            }
            // and the per-second timeline places the stall where it happened (by intended time)
            int second = (int) (((s0 + s1) / 2 - r.originNanos()) / 1_000_000_000L);
            assertThat(r.snapshot().timeline().get(second).latency.getMaxValue() / 1000.0).isGreaterThan(300);
            return misses.isEmpty() ? null : String.join("; ", misses);
        }
    }

    /** What a failed check needs to be understood: where the stall fell, how many were due in it, the errors. */
    private static String context(InjectedLatencyServer server, List<Outcome> measured, LoadRun.Result r) {
        long inStall = measured.stream().filter(o -> o.intendedNanos() >= server.stallStart
                && o.intendedNanos() < server.stallEnd).count();
        Map<Outcome.Kind, Long> errors = new TreeMap<>();
        for (Outcome o : measured) if (o.error() != null) errors.merge(o.error(), 1L, Long::sum);
        String firstError = measured.stream().filter(o -> o.error() != null).findFirst()
                .map(o -> o.detail() + " after " + o.latencyNanos() / 1_000_000 + " ms").orElse("none");
        return String.format(java.util.Locale.ROOT,
                "stall from %.0f ms after the origin, %d of %d measured requests due in it, errors %s, first %s",
                (server.stallStart - r.originNanos()) / 1e6, inStall, measured.size(), errors, firstError);
    }

    static Scenario scenario(int port) {
        Scenario s = Scenario.defaults();
        s.target = "http://127.0.0.1:" + port;
        s.rate = 200;
        s.durationSeconds = 4;
        s.warmupSeconds = 0.5;
        s.arrival = "constant";
        s.profile = List.of();
        s.newConnectionShare = 0;
        s.maxConnectionsPerSource = 256;
        s.timeoutMs = 3_000;
        s.products = 1_000_000; // {seq}: every request a distinct URI the server can report on
        s.regions = List.of(new Scenario.Region("local", 0, 1, 1));
        s.endpoints = List.of(new Scenario.Endpoint("item", 1, "GET", "/items/{seq}", null, false));
        return s;
    }
}
