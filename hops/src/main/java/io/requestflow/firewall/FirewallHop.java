package io.requestflow.firewall;

import io.requestflow.engine.net.Cidr;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.ForwardStage;
import io.requestflow.engine.proxy.Forwarder;

import java.util.List;

/** The firewall: "is this traffic allowed in?" Client address, deny list, size limit, then the balancer. */
public final class FirewallHop {
    private FirewallHop() {}

    public static List<Stage> stages(FirewallConfig config, Forwarder forwarder, HostPort upstream) {
        return List.of(
                new ClientAddressStage(Cidr.parseAll(config.trustedProxies())),
                new DenyListStage(Cidr.parseAll(config.deny())),
                new BodySizeStage(config.maxBodyBytes()),
                new ForwardStage(forwarder, upstream));
    }
}
