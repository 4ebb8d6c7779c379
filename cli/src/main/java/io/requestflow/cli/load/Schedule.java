package io.requestflow.cli.load;

import java.util.List;
import java.util.SplittableRandom;

/**
 * When each request should be sent: the target rate at every moment (warm-up, ramp, the compressed daily
 * profile) and the gaps between arrivals (constant or Poisson). Times are seconds from the start of the
 * measured run; warm-up is the negative times before it. The generator sends at these intended times
 * whatever the server does, and measures latency from them.
 */
public final class Schedule {
    private final double rate;
    private final double duration;
    private final double warmup;
    private final double ramp;
    private final boolean poisson;
    private final List<Scenario.Phase> profile;
    private final double totalShare;

    public Schedule(Scenario s) {
        this.rate = s.rate;
        this.duration = s.durationSeconds;
        this.warmup = s.warmupSeconds;
        this.ramp = s.rampSeconds;
        this.poisson = s.arrival.equals("poisson");
        this.profile = s.profile;
        this.totalShare = s.profile.stream().mapToDouble(Scenario.Phase::share).sum();
    }

    /** The first intended time (the start of warm-up, 0 without one). */
    public double start() {
        return -warmup;
    }

    public double end() {
        return duration;
    }

    /** The phase of the compressed day at {@code t}, or "warm-up" before the measured run. */
    public String phaseAt(double t) {
        if (t < 0) return "warm-up";
        Scenario.Phase p = phase(t);
        return p == null ? "flat" : p.name();
    }

    /** Target requests per second at {@code t}. */
    public double rateAt(double t) {
        double r = rate;
        if (t < 0) {
            Scenario.Phase first = profile.isEmpty() ? null : profile.getFirst();
            return r * (first == null ? 1 : first.factor());
        }
        Scenario.Phase p = phase(t);
        if (p != null) r *= p.factor();
        if (ramp > 0 && t < ramp) r *= 0.1 + 0.9 * (t / ramp);
        return r;
    }

    private Scenario.Phase phase(double t) {
        if (profile.isEmpty() || totalShare <= 0) return null;
        double at = t / duration * totalShare;
        double acc = 0;
        for (Scenario.Phase p : profile) {
            acc += p.share();
            if (at < acc) return p;
        }
        return profile.getLast();
    }

    /**
     * The intended time after {@code t}: a gap of 1/rate (constant) or an exponential gap with mean 1/rate
     * (Poisson). A phase with rate 0 is skipped in small steps. Returns a time >= {@link #end()} when done.
     */
    public double next(double t, SplittableRandom random) {
        double now = t;
        while (now < duration) {
            double r = rateAt(now);
            if (r <= 0) {
                now += 0.01;
                continue;
            }
            double gap = poisson ? -Math.log(1 - random.nextDouble()) / r : 1 / r;
            return now + gap;
        }
        return duration;
    }

    /** The number of arrivals the schedule intends in the measured run (the integral of the rate). */
    public double expectedRequests() {
        double sum = 0;
        double step = duration / 10_000;
        for (int i = 0; i < 10_000; i++) sum += rateAt((i + 0.5) * step) * step;
        return sum;
    }
}
