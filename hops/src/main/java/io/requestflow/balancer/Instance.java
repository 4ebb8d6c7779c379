package io.requestflow.balancer;

import io.requestflow.engine.net.HostPort;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One target and what the balancer knows about it: health as the checker sees it, outlier state,
 * draining, and load (in-flight requests, latency EWMA). An instance starts unhealthy and takes
 * traffic after its first passing check (as Envoy does at start-up); later flips need the thresholds.
 */
public final class Instance {
    /** Latency EWMA decay time: older samples weigh e^-(age/tau). */
    private static final double EWMA_TAU_NANOS = 2_000_000_000.0;

    private final String name;
    private final HostPort address;
    private final HostPort healthAddress;
    private final String healthPath;
    private final int weight;
    private final String zone;

    private volatile boolean healthy;
    private volatile boolean everHealthy;
    private volatile long healthySinceNanos;
    private boolean everChecked;
    private int passes;
    private int failures;
    private volatile String lastResult = "not checked yet";

    /** Instances present when the balancer started all begin together and need no ramp. */
    private volatile boolean rampUp = true;
    private volatile boolean draining;
    private volatile boolean removed;

    final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private double ewmaNanos;
    private long ewmaStamp;

    // outlier state, guarded by OutlierDetector's lock
    // written under the outlier detector's lock; volatile so a success may read them without it
    volatile int consecutive5xx;
    volatile int consecutiveGatewayFailures;
    int ejections;
    volatile long ejectedUntilNanos;
    long lastEjectionEndNanos;

    public Instance(String name, HostPort address, String healthUrl, int weight, String zone) {
        this.name = name;
        this.address = address;
        this.weight = Math.max(1, weight);
        this.zone = zone;
        URI uri = URI.create(healthUrl);
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("health URL '" + healthUrl + "' needs a host and a port");
        }
        this.healthAddress = new HostPort(uri.getHost().replace("[", "").replace("]", ""), uri.getPort());
        this.healthPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    }

    public Instance(String name, HostPort address, String healthUrl) {
        this(name, address, healthUrl, 1, null);
    }

    public String name() {
        return name;
    }

    public HostPort address() {
        return address;
    }

    HostPort healthAddress() {
        return healthAddress;
    }

    String healthPath() {
        return healthPath;
    }

    public int weight() {
        return weight;
    }

    /** The zone, or null for "the balancer's own". */
    public String zone() {
        return zone;
    }

    public boolean healthy() {
        return healthy;
    }

    boolean everHealthy() {
        return everHealthy;
    }

    public String lastResult() {
        return lastResult;
    }

    public boolean draining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }

    boolean removed() {
        return removed;
    }

    void markRemoved() {
        removed = true;
    }

    public boolean ejected(long nowNanos) {
        return nowNanos - ejectedUntilNanos < 0;
    }

    /** Healthy, not ejected, not draining: may take new requests in normal operation. */
    boolean available(long nowNanos) {
        return healthy && !draining && !ejected(nowNanos);
    }

    public int inFlight() {
        return inFlight.get();
    }

    public long requests() {
        return requests.sum();
    }

    public long errors() {
        return errors.sum();
    }

    /** The share of its normal traffic a newly healthy instance may take now (1 = full). */
    double slowStartFactor(long nowNanos, long windowMs) {
        if (windowMs <= 0 || !rampUp || !everHealthy) return 1;
        double elapsed = (nowNanos - healthySinceNanos) / 1e6;
        return elapsed >= windowMs ? 1 : Math.max(0.1, elapsed / windowMs);
    }

    void skipSlowStart() {
        rampUp = false;
    }

    void begin() {
        inFlight.incrementAndGet();
        requests.increment();
    }

    /** A call that began at {@code startNanos} ended at {@code nowNanos} ({@link System#nanoTime()}). */
    void end(long startNanos, long nowNanos, boolean failed) {
        inFlight.decrementAndGet();
        if (failed) errors.increment();
        observe(nowNanos - startNanos, nowNanos);
    }

    /** Time-decayed moving average of response time, for the EWMA picker. */
    private synchronized void observe(long latencyNanos, long now) {
        if (ewmaStamp == 0) {
            ewmaNanos = latencyNanos;
        } else {
            double w = Math.exp(-(now - ewmaStamp) / EWMA_TAU_NANOS);
            ewmaNanos = ewmaNanos * w + latencyNanos * (1 - w);
        }
        ewmaStamp = now;
    }

    public synchronized double latencyEwmaMs() {
        return ewmaNanos / 1e6;
    }

    /** Records one check; returns true when the instance changed state. */
    synchronized boolean record(boolean pass, String result, BalancerConfig.HealthCheck thresholds) {
        lastResult = result;
        boolean before = healthy;
        if (pass) {
            passes++;
            failures = 0;
            if (!healthy && (!everChecked || passes >= thresholds.healthyThreshold())) {
                healthy = true;
                everHealthy = true;
                healthySinceNanos = System.nanoTime();
            }
        } else {
            failures++;
            passes = 0;
            if (healthy && failures >= thresholds.unhealthyThreshold()) healthy = false;
        }
        everChecked = true;
        return before != healthy;
    }

    /** One word for dashboards: draining, ejected, healthy or unhealthy. */
    public String state(long nowNanos) {
        if (draining) return "draining";
        if (ejected(nowNanos)) return "ejected";
        return healthy ? "healthy" : "unhealthy";
    }

    @Override
    public String toString() {
        return name + "@" + address;
    }
}
