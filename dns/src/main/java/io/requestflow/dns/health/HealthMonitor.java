package io.requestflow.dns.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.requestflow.dns.HealthConfig;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health of the answer targets, from several independent checkers: each has its own HTTP client and its own
 * schedule, offset by interval/checkers from the previous one, so together they check each target every
 * interval/checkers. Their results feed one {@link TargetHealth} per target.
 *
 * <p>At most one check per (checker, target) runs at a time; a check that is still running when its next turn
 * comes skips that turn. Checks run on virtual threads; one scheduler thread keeps time.
 */
public final class HealthMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

    /** A target to check: its URL and whether it uses the fast interval. */
    public record Target(String url, boolean fast) {}

    private final HealthConfig config;
    private final MeterRegistry registry;
    private final ScheduledExecutorService clock;
    private final ExecutorService probes = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("dns-health-", 0).factory());
    private final List<HttpClient> clients = new ArrayList<>();
    private final Map<String, TargetHealth> states = new ConcurrentHashMap<>();
    private final Map<Target, List<ScheduledFuture<?>>> schedules = new LinkedHashMap<>();

    public HealthMonitor(HealthConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.clock = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("dns-health-clock").factory());
        for (int i = 0; i < config.checkers(); i++) {
            clients.add(HttpClient.newBuilder().connectTimeout(Duration.ofMillis(config.timeoutMs()))
                    .followRedirects(HttpClient.Redirect.NEVER).executor(probes).build());
        }
    }

    /** Whether answers pointing at this check may be given; unknown URLs count as healthy. */
    public boolean healthy(String url) {
        TargetHealth state = states.get(url);
        return state == null || state.healthy();
    }

    /** Throws, naming the URL, when a target's check is not one this monitor can run. */
    public static void validate(List<Target> targets) {
        for (Target target : targets) {
            Probe.parse(target.url(), null);
        }
    }

    /** Checks exactly these targets from now on; targets already checked keep their state. */
    public synchronized void watch(List<Target> targets) {
        validate(targets); // all or nothing: a bad URL must not leave half the targets rescheduled
        List<Target> wanted = targets.stream().distinct().toList();
        schedules.entrySet().removeIf(e -> {
            if (!wanted.contains(e.getKey())) {
                e.getValue().forEach(f -> f.cancel(false));
                return true;
            }
            return false;
        });
        for (Target target : wanted) {
            if (!schedules.containsKey(target)) {
                schedules.put(target, schedule(target));
            }
        }
        states.keySet().retainAll(wanted.stream().map(Target::url).toList());
    }

    /** Each target's state, for the admin API. */
    public Map<String, Map<String, Object>> snapshot() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        states.forEach((url, s) -> out.put(url, Map.of("healthy", s.healthy(), "checks", s.checks(),
                "failures", s.failures())));
        return out;
    }

    private List<ScheduledFuture<?>> schedule(Target target) {
        Probe[] perChecker = new Probe[config.checkers()];
        for (int i = 0; i < perChecker.length; i++) {
            perChecker[i] = Probe.parse(target.url(), clients.get(i));
        }
        TargetHealth state = states.computeIfAbsent(target.url(), u -> {
            TargetHealth s = new TargetHealth(config.threshold());
            Gauge.builder("requestflow.dns.health", s, h -> h.healthy() ? 1 : 0)
                    .description("Health of a DNS answer target: 1 healthy, 0 unhealthy")
                    .tag("target", u).register(registry);
            return s;
        });
        long interval = target.fast() ? config.fastIntervalMs() : config.intervalMs();
        List<ScheduledFuture<?>> futures = new ArrayList<>();
        for (int i = 0; i < perChecker.length; i++) {
            Probe probe = perChecker[i];
            AtomicBoolean running = new AtomicBoolean();
            String checker = "checker-" + (i + 1);
            long offset = interval * i / perChecker.length;
            futures.add(clock.scheduleAtFixedRate(() -> {
                if (running.compareAndSet(false, true)) {
                    probes.execute(() -> {
                        try {
                            run(target.url(), checker, probe, state);
                        } finally {
                            running.set(false);
                        }
                    });
                }
            }, offset, interval, TimeUnit.MILLISECONDS));
        }
        return futures;
    }

    private void run(String url, String checker, Probe probe, TargetHealth state) {
        boolean passed;
        try {
            passed = probe.check(Duration.ofMillis(config.timeoutMs()));
        } catch (RuntimeException e) {
            passed = false;
        }
        Counter.builder("requestflow.dns.health.checks").description("DNS health checks by result")
                .tag("target", url).tag("result", passed ? "pass" : "fail").register(registry).increment();
        if (state.record(passed)) {
            log.info("dns: health of {} is now {} ({} of {})", url, passed ? "HEALTHY" : "UNHEALTHY",
                    config.threshold() + " results in a row", checker);
        }
    }

    @Override
    public void close() {
        clock.shutdownNow();
        probes.shutdownNow();
        clients.forEach(HttpClient::shutdownNow);
    }
}
