package io.requestflow.balancer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.ScheduledFuture;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.net.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the target group equal to the addresses a DNS name resolves to ({@link DiscoveryConfig}): an address
 * that appears registers (checked first, then slow start), one that disappears drains. Resolution runs on an
 * event loop with Netty's resolver, which honours the records' TTLs up to the interval. A lookup that fails
 * or comes back empty changes nothing: a DNS outage must not empty the balancer.
 */
public final class TargetDiscovery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TargetDiscovery.class);

    private final DiscoveryConfig config;
    private final TargetGroup group;
    private final EventLoop loop;
    private final DnsNameResolver resolver;
    private final Counter failures;
    /** What this discovery registered (targets added by hand or by config are not its to remove); loop only. */
    private Set<String> discovered = new LinkedHashSet<>();
    private boolean lastFailed;
    private ScheduledFuture<?> task;

    TargetDiscovery(DiscoveryConfig config, TargetGroup group, EventLoop loop, MeterRegistry registry) {
        this.config = config;
        this.group = group;
        this.loop = loop;
        DnsNameResolverBuilder builder = new DnsNameResolverBuilder(loop)
                .datagramChannelType(Transport.datagramChannel())
                .queryTimeoutMillis(config.timeoutMs())
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                // cached at most one interval, so a scale-down is seen by the next lookup after the TTL
                .ttl(0, (int) Math.max(1, config.intervalMs() / 1000));
        if (config.resolver() != null) {
            HostPort server = HostPort.parse(config.resolver());
            builder.nameServerProvider(new SingletonDnsServerAddressStreamProvider(
                    new InetSocketAddress(server.host(), server.port())));
        } else {
            builder.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
        }
        this.resolver = builder.build();
        this.failures = Counter.builder("requestflow.balancer.discovery.failures")
                .description("Lookups of balancer.discovery.name that failed or came back empty (membership kept)")
                .register(registry);
    }

    /** Resolves now, then every interval. */
    void start() {
        loop.execute(this::resolve);
        task = loop.scheduleWithFixedDelay(this::resolve, config.intervalMs(), config.intervalMs(), TimeUnit.MILLISECONDS);
        LOG.info("balancer: discovering targets from {} (port {}, every {} ms)", config.name(), config.port(),
                config.intervalMs());
    }

    private void resolve() {
        resolver.resolveAll(config.name()).addListener(done -> {
            if (done.isSuccess()) {
                @SuppressWarnings("unchecked")
                List<InetAddress> addresses = (List<InetAddress>) done.getNow();
                apply(addresses);
            } else {
                failed(done.cause());
            }
        });
    }

    private void failed(Throwable cause) {
        failures.increment();
        if (!lastFailed) {
            LOG.warn("balancer: cannot resolve {} ({}); keeping the {} targets it gave before", config.name(),
                    cause.getMessage(), discovered.size());
        }
        lastFailed = true;
    }

    private void apply(List<InetAddress> addresses) {
        if (addresses.isEmpty()) {
            failed(new IllegalStateException("no addresses"));
            return;
        }
        if (lastFailed) LOG.info("balancer: {} resolves again", config.name());
        lastFailed = false;
        Set<String> wanted = new LinkedHashSet<>();
        Set<String> mine = new LinkedHashSet<>();
        for (InetAddress address : addresses) {
            String host = address.getHostAddress();
            String target = new HostPort(host, config.port()).toString();
            wanted.add(target);
            Instance present = group.find(target);
            if (discovered.contains(target) && present != null && !present.draining()) {
                mine.add(target);
                continue;
            }
            String health = "http://" + new HostPort(host, config.healthPort()) + config.healthPath();
            try {
                group.register(new BalancerConfig.Target(target, target, health));
            } catch (IllegalArgumentException registeredByOthers) {
                continue; // by hand or by config: theirs to remove, not discovery's
            }
            mine.add(target);
            LOG.info("balancer: {} now includes {}", config.name(), target);
        }
        for (String gone : discovered) {
            Instance present = group.find(gone);
            if (wanted.contains(gone) || present == null || present.draining()) continue;
            LOG.info("balancer: {} no longer includes {}; draining it", config.name(), gone);
            group.deregister(gone);
        }
        discovered = mine;
    }

    @Override
    public void close() {
        if (task != null) task.cancel(false);
        resolver.close();
    }
}
