package io.requestflow.balancer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.requestflow.engine.client.UpstreamClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The instances behind the balancer, with live membership: instances register (health-checked from
 * then on, taking traffic once they pass) and deregister (draining: no new requests, in-flight ones
 * finish up to the drain timeout, then the instance leaves). Also decides which members are
 * candidates for a request: available ones, in the local zone when cross-zone is off, or every
 * once-healthy one in panic mode.
 */
public final class TargetGroup {
    private static final Logger LOG = LoggerFactory.getLogger(TargetGroup.class);

    private final BalancerConfig.Policy policy;
    private final HealthChecker checker;
    private final UpstreamClient client;
    private final EventLoopGroup group;
    private final MeterRegistry registry;
    private final Map<Instance, List<Meter>> meters = new ConcurrentHashMap<>();
    private volatile List<Instance> members = List.of();

    TargetGroup(BalancerConfig.Policy policy, HealthChecker checker, UpstreamClient client, EventLoopGroup group,
                MeterRegistry registry) {
        this.policy = policy;
        this.checker = checker;
        this.client = client;
        this.group = group;
        this.registry = registry;
    }

    /** Every member, draining ones included; the list is replaced, never changed, when membership changes. */
    public List<Instance> members() {
        return members;
    }

    public Instance find(String name) {
        for (Instance i : members) if (i.name().equals(name)) return i;
        return null;
    }

    /** Adds an instance; it starts unhealthy, is checked right away, and ramps up under slow start. */
    public Instance register(BalancerConfig.Target target) {
        return register(target, false);
    }

    /** {@code initial}: one of the targets the balancer starts with, which all begin together without a ramp. */
    synchronized Instance register(BalancerConfig.Target target, boolean initial) {
        String name = target.nameOrAddress();
        Instance existing = find(name);
        if (existing != null && !existing.draining()) {
            throw new IllegalArgumentException("target '" + name + "' is already registered");
        }
        if (existing != null) remove(existing); // re-registering a draining one replaces it
        Instance instance = new Instance(name, target.hostPort(), target.healthUrlOrDefault(), target.weight(),
                target.zone());
        if (initial) instance.skipSlowStart();
        List<Instance> next = new ArrayList<>(members);
        next.add(instance);
        members = List.copyOf(next);
        meters.put(instance, registerMeters(instance));
        checker.watch(instance);
        LOG.info("balancer: registered {} ({})", name, instance.address());
        return instance;
    }

    /**
     * Starts draining {@code name}: no new requests; it leaves when its in-flight requests are done or
     * the drain timeout passes. The future completes when it has left.
     */
    public synchronized CompletableFuture<Instance> deregister(String name) {
        Instance instance = find(name);
        if (instance == null) throw new IllegalArgumentException("no target named '" + name + "'");
        CompletableFuture<Instance> left = new CompletableFuture<>();
        if (!instance.draining()) LOG.info("balancer: draining {} ({}), {} in flight", name, instance.address(),
                instance.inFlight());
        instance.startDraining();
        awaitDrained(instance, System.nanoTime() + policy.drainTimeoutMs() * 1_000_000L, left);
        return left;
    }

    private void awaitDrained(Instance instance, long deadline, CompletableFuture<Instance> left) {
        if (instance.inFlight() == 0 || System.nanoTime() - deadline >= 0 || instance.removed()) {
            if (instance.inFlight() > 0) {
                LOG.warn("balancer: drain timeout for {}: {} requests still in flight", instance.name(),
                        instance.inFlight());
            }
            synchronized (this) {
                if (!instance.removed()) remove(instance);
            }
            left.complete(instance);
            return;
        }
        try {
            group.next().schedule(() -> awaitDrained(instance, deadline, left), 20, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            left.complete(instance);
        }
    }

    private void remove(Instance instance) {
        instance.markRemoved();
        List<Instance> next = new ArrayList<>(members);
        next.remove(instance);
        members = List.copyOf(next);
        List<Meter> own = meters.remove(instance);
        if (own != null) own.forEach(registry::remove);
        if (members.stream().noneMatch(i -> i.address().equals(instance.address()))) client.evict(instance.address());
        if (members.stream().noneMatch(i -> i.healthAddress().equals(instance.healthAddress()))) {
            client.evict(instance.healthAddress());
        }
        LOG.info("balancer: {} ({}) left the target group", instance.name(), instance.address());
    }

    /** True when too few members are available and the group spreads over every once-healthy member. */
    boolean panic(long now) {
        if (policy.panicPercent() <= 0) return false;
        int eligible = 0;
        int available = 0;
        for (Instance i : members) {
            if (i.draining()) continue;
            eligible++;
            if (i.available(now)) available++;
        }
        return eligible > 0 && available * 100 < policy.panicPercent() * eligible;
    }

    /**
     * Who may take a request now, leaving out {@code tried} unless nobody else is left. Empty when
     * nobody may.
     */
    List<Instance> candidates(long now, boolean panic, List<Instance> tried) {
        List<Instance> out = collect(now, panic, tried);
        if (out.isEmpty() && !tried.isEmpty()) out = collect(now, panic, List.of());
        if (!policy.crossZone() && out.size() > 1) {
            List<Instance> local = new ArrayList<>(out.size());
            for (Instance i : out) if (i.zone() == null || Objects.equals(i.zone(), policy.zone())) local.add(i);
            if (!local.isEmpty()) out = local;
        }
        return out;
    }

    private List<Instance> collect(long now, boolean panic, List<Instance> tried) {
        List<Instance> all = members;
        List<Instance> out = new ArrayList<>(all.size());
        for (Instance i : all) {
            boolean ok = panic ? !i.draining() && i.everHealthy() : i.available(now);
            if (ok && !tried.contains(i)) out.add(i);
        }
        return out;
    }

    private List<Meter> registerMeters(Instance i) {
        String t = i.name();
        return List.of(
                Gauge.builder("requestflow.balancer.target.healthy", i, x -> x.healthy() ? 1 : 0)
                        .description("1 when the target passes its health checks").tag("target", t).register(registry),
                Gauge.builder("requestflow.balancer.target.ejected", i, x -> x.ejected(System.nanoTime()) ? 1 : 0)
                        .description("1 while outlier detection keeps the target out").tag("target", t)
                        .register(registry),
                Gauge.builder("requestflow.balancer.target.draining", i, x -> x.draining() ? 1 : 0)
                        .description("1 while the target drains before leaving").tag("target", t).register(registry),
                Gauge.builder("requestflow.balancer.target.weight", i, Instance::weight)
                        .description("configured weight").tag("target", t).register(registry),
                Gauge.builder("requestflow.balancer.target.in.flight", i, Instance::inFlight)
                        .description("requests sent and not yet answered").tag("target", t).register(registry),
                Gauge.builder("requestflow.balancer.target.latency.ewma", i, x -> x.latencyEwmaMs() / 1000.0)
                        .baseUnit("seconds").description("recent response time (EWMA, 2 s decay)")
                        .tag("target", t).register(registry),
                FunctionCounter.builder("requestflow.balancer.target.requests", i, Instance::requests)
                        .description("attempts sent to the target").tag("target", t).register(registry),
                FunctionCounter.builder("requestflow.balancer.target.errors", i, Instance::errors)
                        .description("attempts that failed or got a 5xx").tag("target", t).register(registry));
    }
}
