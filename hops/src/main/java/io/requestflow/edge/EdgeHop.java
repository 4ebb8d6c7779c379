package io.requestflow.edge;

import io.micrometer.core.instrument.MeterRegistry;
import io.requestflow.engine.client.UpstreamClient;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.ForwardStage;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.server.RequestHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The edge: "can I answer from the edge?" Checks the host, notes the viewer's country, negotiates
 * compression, answers from its RFC 9111 cache when it can, and forwards the rest to the firewall with
 * X-Forwarded-* telling it who the viewer is.
 */
public final class EdgeHop {
    private final EdgeConfig config;
    private final HttpCache cache;
    private final List<Stage> stages;
    private final CacheAdmin admin;

    /** {@code adminClient} carries purges to the peers named in the cache config. */
    public EdgeHop(EdgeConfig config, Forwarder forwarder, HostPort upstream, MeterRegistry registry,
                   UpstreamClient adminClient) {
        this(config, forwarder, upstream, registry, adminClient, System::currentTimeMillis);
    }

    /** With the clock freshness is judged by (tests move it). */
    EdgeHop(EdgeConfig config, Forwarder forwarder, HostPort upstream, MeterRegistry registry,
            UpstreamClient adminClient, java.util.function.LongSupplier clock) {
        this.config = config;
        this.cache = new HttpCache(config.cache(), registry);
        List<Stage> s = new ArrayList<>();
        s.add(new HostStage(config.hosts()));
        s.add(new ViewerCountryStage(config.viewerCountries())); // before the cache: an origin may Vary on it
        if (config.cache().enabled()) {
            s.add(new CompressionStage(config.cache().compressMinBytes()));
            s.add(new InvalidationStage(cache));
            s.add(new CacheStage(cache, config.cache(), clock));
        }
        // after the cache: only requests that go to the origin need them (a hit builds none)
        s.add(new ForwardedHeadersStage("http"));
        // the cache keeps, compresses and sometimes drops upstream bodies: it works on copies
        s.add(new ForwardStage(forwarder.copyingBodies(), upstream));
        this.stages = List.copyOf(s);
        this.admin = new CacheAdmin(cache, config.cache().peers(), adminClient);
    }

    public List<Stage> stages() {
        return stages;
    }

    public HttpCache cache() {
        return cache;
    }

    /** Other edges (admin addresses) that this edge's purges and bans reach too, besides the configured peers. */
    public void addPurgePeers(List<HostPort> admins) {
        admin.addPeers(admins);
    }

    /** Admin routes: {@code /cache}, {@code /cache/purge}, {@code /cache/ban}. */
    public Map<String, RequestHandler> adminRoutes() {
        return admin.routes();
    }
}
