package io.requestflow.firewall;

import io.requestflow.engine.net.Cidr;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.ForwardStage;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.server.RawRequestInspector;
import io.requestflow.firewall.ratelimit.FallbackRateLimiter;
import io.requestflow.firewall.ratelimit.RateLimiter;
import io.requestflow.firewall.ratelimit.RedisSlidingWindow;
import io.requestflow.firewall.waf.AuditLog;
import io.requestflow.firewall.waf.Waf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The firewall: "is this traffic allowed in?" Raw protocol checks before the codec, then client
 * address, network rules, protocol limits, rate limit, body size and the WAF, then the balancer.
 */
public final class FirewallHop implements AutoCloseable {
    private final FirewallConfig config;
    private final AuditLog audit;
    private final RateLimiter limiter;
    private final Waf waf;

    /**
     * @param dataDir  where the audit log goes (its path is relative to it); null for no audit file
     * @param redisUrl the shared rate-limit store; null counts per instance only
     */
    public FirewallHop(FirewallConfig config, Path dataDir, String redisUrl) {
        this.config = config;
        this.waf = new Waf(config.waf());
        String auditPath = config.waf().auditLog();
        this.audit = AuditLog.open(dataDir == null || auditPath == null || auditPath.isBlank() ? null
                : dataDir.resolve(auditPath));
        var rl = config.rateLimit();
        this.limiter = new FallbackRateLimiter(rl, redisUrl == null ? null : () -> new RedisSlidingWindow(redisUrl, rl));
    }

    public List<Stage> stages(Forwarder forwarder, HostPort upstream) {
        List<Stage> stages = new ArrayList<>(List.of(
                new ClientAddressStage(Cidr.parseAll(config.trustedProxies())),
                new DenyListStage(Cidr.parseAll(config.deny())),
                new AllowListStage(Cidr.parseAll(config.allow())),
                new PrivateRouteStage(config.privateRoutes().stream()
                        .map(r -> new PrivateRouteStage.Route(r.pathPrefix(), Cidr.parseAll(r.allow()))).toList()),
                new ProtocolStage(config.allowedMethods(), config.maxUriBytes(), config.maxHeaders(),
                        config.maxHeaderBytes())));
        if (config.rateLimit().enabled()) stages.add(new RateLimitStage(limiter));
        stages.add(new BodySizeStage(config.maxBodyBytes()));
        stages.add(new WafStage(waf, audit));
        stages.add(new ForwardStage(forwarder, upstream));
        return stages;
    }

    /** The check of raw request bytes the firewall's listener runs before its HTTP codec. */
    public RawRequestInspector rawInspector() {
        return new RawProtocolInspector(audit);
    }

    /** The network rules only (the foundation's stages); kept for callers that need no WAF. */
    public static List<Stage> stages(FirewallConfig config, Forwarder forwarder, HostPort upstream) {
        return List.of(
                new ClientAddressStage(Cidr.parseAll(config.trustedProxies())),
                new DenyListStage(Cidr.parseAll(config.deny())),
                new BodySizeStage(config.maxBodyBytes()),
                new ForwardStage(forwarder, upstream));
    }

    @Override
    public void close() throws Exception {
        limiter.close();
        audit.close();
    }
}
