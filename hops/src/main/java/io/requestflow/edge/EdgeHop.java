package io.requestflow.edge;

import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.ForwardStage;
import io.requestflow.engine.proxy.Forwarder;

import java.util.List;

/** The edge: "can I answer from the edge?" For now it checks the host and forwards to the firewall. */
public final class EdgeHop {
    private EdgeHop() {}

    public static List<Stage> stages(EdgeConfig config, Forwarder forwarder, HostPort upstream) {
        return List.of(
                new HostStage(config.hosts()),
                new ForwardedHeadersStage("http"),
                new ForwardStage(forwarder, upstream));
    }
}
